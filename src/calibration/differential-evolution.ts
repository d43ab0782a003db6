/** Moved to math/optimise/differential-evolution.ts; kept so existing imports resolve. */
export * from '../math/optimise/differential-evolution.js';
