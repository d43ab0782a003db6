/** [surface] Shared checks of the surface charts' grids. */
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';

/** The spec type the surface charts return (a plain-JSON Vega-Lite spec). */
export type ChartSpecOf = TopLevelSpec;

/** @throws InputError naming `<path>.kMin` / `.kMax` / `.points` (finite, kMin < kMax, points an integer in [2, 2001]). */
export function checkedChartGrid(kMin: unknown, kMax: unknown, points: unknown, path: string): { kMin: number; kMax: number; points: number } {
  if (typeof kMin !== 'number' || !Number.isFinite(kMin)) throw new InputError(`${path}.kMin`, kMin, 'a finite number');
  if (typeof kMax !== 'number' || !Number.isFinite(kMax) || !(kMax > kMin)) throw new InputError(`${path}.kMax`, kMax, `a finite number > kMin = ${kMin}`);
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 2 || points > 2001) throw new InputError(`${path}.points`, points, 'an integer in [2, 2001]');
  return { kMin, kMax, points };
}
