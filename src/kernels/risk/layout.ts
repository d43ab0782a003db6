// Position and scenario layout of the risk kernels. Mirrors assembly/risk/layout.ts (see there).
export const POS_F64_COLUMNS = 7;
export const POS_I32_COLUMNS = 4;

export const COL_QUANTITY = 0;
export const COL_STRIKE = 1;
export const COL_EXPIRY = 2;
export const COL_VOL = 3;
export const COL_RATE = 4;
export const COL_CARRY = 5;
export const COL_VOL_SCALE = 6;

export const COL_KIND = 0;
export const COL_FACTOR = 1;
export const COL_ACCOUNT = 2;
export const COL_TYPE = 3;

export const KIND_SPOT = 0;
export const KIND_PERPETUAL = 1;
export const KIND_FUTURE = 2;
export const KIND_INVERSE_FUTURE = 3;
export const KIND_OPTION_USD = 4;
export const KIND_OPTION_COIN = 5;

export const VOL_SHOCK_ABSOLUTE = 0;
export const VOL_SHOCK_RELATIVE = 1;
export const VOL_SHOCK_LOG = 2;
