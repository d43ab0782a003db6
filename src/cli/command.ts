/**
 * The shape of one `riskwasm` command. Each command is a module in `commands/` exporting a
 * {@link CliCommand}; `commands/index.ts` lists them, and `main.ts` registers every entry of that
 * list with cac. Adding a command = one module + one line in the list.
 */
import type { Engine } from '../engine.js';
import type { ChartSpec } from '../charts/specs.js';
import type { OutputSet } from './files.js';
import type { Progress } from './progress.js';

/** One option of a command, in cac's syntax (`'--model <name>'`, `'--json'`). */
export interface CliOption {
  flags: string;
  description: string;
  default?: unknown;
}

/** What a command produced: the JSON report (with its `schema`), and the text and CSV views of it. */
export interface CommandReport {
  json: { schema: string } & Record<string, unknown>;
  text(): string;
  csv?(): string;
  /** Exit code when the run completed but failed its acceptance (e.g. `--strict`): the report is still output. Default 0. */
  exitCode?: number;
}

/** Services the runner gives a command. */
export interface CliContext {
  /** The compute engine (created on first use with `--backend`). */
  engine(): Promise<Engine>;
  /** An informational line on stderr (e.g. "using the bundled sample ..."), suppressed by `--quiet`. */
  note(message: string): void;
  /** A progress bar on stderr (TTY only). */
  progress(label: string, total: number): Progress;
  /** Resolves after pending events (signals) ran; throws InterruptedError after Ctrl-C. Call between work units. */
  checkpoint(): Promise<void>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Files written only when the command succeeds. */
  outputs: OutputSet;
  /** Stage a chart at `path` as SVG (`.svg`) or a standalone HTML page (`.html`/`.htm`). */
  stagePlot(path: string, spec: ChartSpec, title: string): Promise<void>;
}

/** A `riskwasm` sub-command. */
export interface CliCommand {
  /** cac command syntax, e.g. `'surface [chain]'`, `'var [...histories]'`. */
  syntax: string;
  description: string;
  options: CliOption[];
  examples?: string[];
  /** Run with cac's positional arguments (in syntax order) and options (camelCased). */
  run(ctx: CliContext, args: unknown[], options: Record<string, unknown>): Promise<CommandReport>;
}
