/**
 * Error classes. Every error riskwasm throws is a {@link RiskwasmError} with a stable `code`;
 * tests and callers should branch on the class and `code`, never on the message text.
 */

/** Base class of every error riskwasm throws. */
export class RiskwasmError extends Error {
  /** Stable machine-readable code, e.g. `'INPUT'`, `'WASM_UNAVAILABLE'`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RiskwasmError';
    this.code = code;
  }
}

/**
 * A malformed call: wrong type, mismatched lengths, unknown enum string, out-of-range option.
 * Thrown before any kernel runs. `path` names the field (`'strikes[3]'`, `'types'`), `value` is
 * what was passed there.
 */
export class InputError extends RiskwasmError {
  readonly path: string;
  readonly value: unknown;
  /** For a misspelled option key: the closest valid key (`'horizonDays'` for `horizonDay`). */
  readonly suggestion?: string;
  constructor(path: string, value: unknown, expected: string, suggestion?: string) {
    super('INPUT', `${path}: expected ${expected}, got ${describe(value)}${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`);
    this.name = 'InputError';
    this.path = path;
    this.value = value;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

/** The WebAssembly backend was requested but cannot be loaded or instantiated here. */
export class WasmUnavailableError extends RiskwasmError {
  override readonly cause: unknown;
  constructor(message: string, cause?: unknown) {
    super('WASM_UNAVAILABLE', message);
    this.name = 'WasmUnavailableError';
    this.cause = cause;
  }
}

/**
 * A kernel reported an internal failure, or a debug build's assertion failed (never expected;
 * indicates a bug, not bad input). `status` is the kernel's return code (-1 for an assertion).
 */
export class KernelError extends RiskwasmError {
  readonly kernel: string;
  readonly status: number;
  constructor(kernel: string, status: number) {
    super('KERNEL', status === -1 ? `kernel ${kernel}` : `kernel ${kernel} returned status ${status}`);
    this.name = 'KernelError';
    this.kernel = kernel;
    this.status = status;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value;
}
