/**
 * Messages between the page and the calibration worker. Plain data only (structured clone):
 * typed arrays, numbers, strings, and the compiled WebAssembly.Module, which can be posted to a
 * worker so the `.wasm` is fetched and compiled once, on the page.
 */
import type { Surface, SurfaceExpiry } from 'riskwasm';

/** The models the demo calibrates. SVI and Heston fit each expiry on its own; SSVI fits the whole surface jointly. */
export type ModelName = 'svi' | 'ssvi' | 'heston';

/**
 * One expiry slice of the surface, as the calibration calls take it (OTM quotes, sorted by
 * strike): the library's `Surface` columns (forward per quote; strikes, expiries, types, mid / bid /
 * ask implied vols and weights) cut to one expiry, with that expiry's time (years) and ISO date.
 */
export type SliceQuotes = Pick<SurfaceExpiry, 'expiry' | 'expiryDate'> & Pick<Surface, 'forwards'> & Surface['quotes'];

export interface CalibrateRequest {
  type: 'calibrate';
  runId: number;
  model: ModelName;
  slices: SliceQuotes[];
  /** Extra perturbed starting points per fit (more robust, slower): the `extraStarts` option. */
  extraStarts: number;
}

export interface InitRequest {
  type: 'init';
  /** The page's compiled kernels (null: the pure-JS twin). */
  module: WebAssembly.Module | null;
}

export type ToWorker = InitRequest | CalibrateRequest;

/** The fit of one expiry, ready to show: parameters by name, fit statistics and the fitted smile. */
export interface SliceFit {
  index: number;
  expiry: number;
  expiryDate: string;
  model: ModelName;
  params: Record<string, number>;
  /** RMSE and max |model - market| in vol points; fraction of quotes inside [bid IV, ask IV]. */
  rmse: number;
  maxAbsError: number;
  insideBidAsk: number | null;
  reason: string;
  iterations: number;
  elapsedMs: number;
  /** Butterfly-arbitrage free on the check grid (SVI and SSVI slices; null for Heston). */
  arbitrageFree: boolean | null;
  /** The fitted smile on a strike grid spanning the quotes: strikes (USD) and implied vols (decimals). */
  curveStrikes: Float64Array;
  curveVols: Float64Array;
}

export type FromWorker =
  | { type: 'ready'; backend: 'wasm' | 'js' }
  | { type: 'start'; runId: number; model: ModelName; total: number }
  /** A slice is being fitted (for joint fits: the whole surface, index -1). */
  | { type: 'progress'; runId: number; index: number; total: number }
  | { type: 'slice'; runId: number; fit: SliceFit }
  | { type: 'done'; runId: number; elapsedMs: number; summary: Record<string, number | string | boolean> }
  | { type: 'error'; runId: number; message: string };
