/** [surface] Volatility surfaces: {@link VolSurface} and its builder. */
export {
  VolSurface, MAX_SURFACE_SLICES, DEFAULT_CALENDAR_GRID,
  type VolPointsArgs, type VolSurfaceSlice, type VolSurfaceExtrapolation, type VolSurfaceSource, type VolSurfaceJSON,
  type SurfaceCalendarCheck, type SurfaceCalendarViolation,
} from './vol-surface.js';
export { buildVolSurface, type VolSurfaceInput, type VolSurfaceOptions, type SviSliceInput, type SviSliceParams, type SsviInput, type StochasticVolInput } from './build-vol-surface.js';
export type { ModelSliceOptions } from './model-slices.js';
