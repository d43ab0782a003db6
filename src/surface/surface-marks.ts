/**
 * Marking options by a VolSurface: the `surface` field of margin markets and risk portfolios (one
 * surface, its JSON, or surfaces by asset), checked and evaluated sticky strike, one `vol()` batch
 * per asset. Margin and risk each name their own field (`market.surface`, `portfolio.surface`).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { VolSurface, type VolSurfaceJSON } from './vol-surface.js';

/** One surface (its `underlying`, or every asset when it has none), its JSON, or surfaces by asset. */
export type SurfaceSource = VolSurface | VolSurfaceJSON | ReadonlyMap<string, VolSurface | VolSurfaceJSON>;

/** An option to mark: its asset, strike (the surface's units) and expiry (years), and its path for errors. */
export interface SurfacePoint {
  readonly asset: string;
  readonly strike: number;
  readonly expiry: number;
  readonly path: string;
}

function isSurfaceJson(v: unknown): v is VolSurfaceJSON {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'riskwasm.VolSurface';
}

/**
 * `v` as a surface source.
 * @throws InputError naming `field` (or `field.<asset>`) unless `v` is a VolSurface, its JSON, or a
 *   Map of them by asset name (JSON is validated by VolSurface.fromJSON).
 */
export function checkSurfaceSource(v: unknown, field: string): SurfaceSource {
  if (v instanceof VolSurface) return v;
  if (isSurfaceJson(v)) {
    VolSurface.fromJSON(v);
    return v;
  }
  if (v instanceof Map) {
    for (const [asset, s] of v) {
      if (typeof asset !== 'string') throw new InputError(field, v, 'a Map from asset names to VolSurfaces');
      if (!(s instanceof VolSurface) && !isSurfaceJson(s)) throw new InputError(`${field}.${asset}`, s, 'a VolSurface (engine.volSurface) or its JSON');
      if (!(s instanceof VolSurface)) VolSurface.fromJSON(s);
    }
    return v as SurfaceSource;
  }
  throw new InputError(field, v, 'a VolSurface, its JSON, or a Map from asset names to them');
}

/** The surface that marks `asset`'s options, if any. @throws Nothing. */
export function surfaceFor(surfaces: SurfaceSource, asset: string): VolSurface | VolSurfaceJSON | undefined {
  if (surfaces instanceof Map) return surfaces.get(asset);
  const s = surfaces as VolSurface | VolSurfaceJSON;
  return s.underlying === undefined || s.underlying === asset ? s : undefined;
}

/**
 * Vols of `points` from their assets' surfaces, sticky strike: one `vol({ strikes, expiries })` per
 * asset; `write(point, vol)` receives each. A surface given as JSON or unbound is evaluated on `ctx`.
 * Every point's asset must have a surface ({@link surfaceFor}).
 * @throws InputError at `field` when a surface needs an engine and none is given, or at
 *   `<point.path>.vol` when the surface has no vol there (status not ok, or not a vol >= 0).
 */
export function markVolsBySurface<P extends SurfacePoint>(
  points: readonly P[], surfaces: SurfaceSource, ctx: EngineContext | undefined, field: string, write: (point: P, vol: number) => void,
): void {
  const byAsset = new Map<string, P[]>();
  for (const p of points) {
    let list = byAsset.get(p.asset);
    if (!list) byAsset.set(p.asset, (list = []));
    list.push(p);
  }
  for (const [asset, list] of byAsset) {
    const given = surfaceFor(surfaces, asset)!;
    let surface: VolSurface;
    if (given instanceof VolSurface && given.engine !== undefined) surface = given;
    else if (ctx === undefined) throw new InputError(field, given, 'a VolSurface bound to an engine (this call has none to bind it to)');
    else surface = given instanceof VolSurface ? given.withEngine(ctx) : VolSurface.fromJSON(given, ctx);
    const { vols, status } = surface.vol({ strikes: Float64Array.from(list, (p) => p.strike), expiries: Float64Array.from(list, (p) => p.expiry) });
    list.forEach((p, j) => {
      if (status[j] !== 0 || !(vols[j] >= 0)) throw new InputError(`${p.path}.vol`, vols[j], `a vol from ${field} at strike ${p.strike}, expiry ${p.expiry} (status ${status[j]})`);
      write(p, vols[j]);
    });
  }
}
