// Per-element status codes written by batch kernels. Mirrors assembly/status.ts.
export const STATUS_OK = 0;
export const STATUS_INVALID_INPUT = 1;
export const STATUS_BELOW_INTRINSIC = 2;
export const STATUS_ABOVE_MAXIMUM = 3;
export const STATUS_NOT_CONVERGED = 4;
