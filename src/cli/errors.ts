/**
 * CLI failures and their exit codes: 2 for bad input (the message names the file, line and
 * field when they are known), 1 for a computation that failed, 130 after Ctrl-C.
 */
import { InputError } from '../errors.js';
import { CsvRowError } from '../market/deribit-chain.js';

/** Exit codes of the `riskwasm` command. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** An error the CLI reports as one line on stderr and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad input (exit 2): `file:line: field: problem`, with whatever parts are known. */
export class BadInputError extends CliError {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  constructor(problem: string, where: { file?: string; line?: number; field?: string } = {}) {
    const loc = [where.file, where.line !== undefined ? String(where.line) : undefined].filter(Boolean).join(':');
    super(2, [loc, where.field, problem].filter(Boolean).join(': '));
    this.name = 'BadInputError';
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** A computation that ran but failed its acceptance (e.g. `--strict` and a fit that did not converge): exit 1. */
export class ComputationError extends CliError {
  constructor(message: string) {
    super(1, message);
    this.name = 'ComputationError';
  }
}

/** The run was interrupted (Ctrl-C): exit 130, nothing written. */
export class InterruptedError extends CliError {
  constructor() {
    super(130, 'interrupted');
    this.name = 'InterruptedError';
  }
}

/** The problem part of an InputError message (`expected ..., got ...`), without its path prefix. */
export function inputProblem(e: InputError): string {
  const prefix = `${e.path}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Re-attribute a library InputError to the file it came from: a CsvRowError keeps its line and
 * column; other errors keep their field path, with `line` when the caller located it.
 */
export function fromInputError(e: unknown, file: string, locate?: (path: string) => number | undefined): unknown {
  if (e instanceof CsvRowError) return new BadInputError(inputProblem(e), { file, line: e.line, field: e.column });
  if (e instanceof InputError) return new BadInputError(inputProblem(e), { file, line: locate?.(e.path), field: e.path });
  return e;
}
