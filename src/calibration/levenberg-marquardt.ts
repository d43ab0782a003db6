/** Moved to math/optimise/ (levenberg-marquardt.ts, multi-start.ts); kept so existing imports resolve. */
export { levenbergMarquardt, LM_KEYS, LM_MAX_ITERATIONS, LM_MAX_PARAMS } from '../math/optimise/levenberg-marquardt.js';
export { multiStart, MULTI_START_KEYS, type MultiStartOptions, type MultiStartResult } from '../math/optimise/multi-start.js';
