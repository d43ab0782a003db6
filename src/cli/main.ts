#!/usr/bin/env node
/**
 * The `riskwasm` command line: registers every command of `commands/index.ts` with cac, runs the
 * matched one, prints its report (text, `--json` or `--csv`) or writes it with `--out`, and maps
 * failures to exit codes (0 ok, 1 failed computation, 2 bad input, 130 Ctrl-C).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cac } from 'cac';
import { createEngine, type Engine } from '../engine.js';
import { InputError, RiskwasmError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import type { CliCommand, CliContext } from './command.js';
import { BadInputError, CliError, EXIT, InterruptedError, inputProblem } from './errors.js';
import { bundled, displayPath, OutputSet } from './files.js';
import { toJson } from './json-output.js';
import { plotFormat, renderPlot } from './plot.js';
import { loadChartRenderer } from '../charts/renderer.js';
import { createProgress } from './progress.js';

const BACKENDS = ['auto', 'wasm', 'js'];

function version(): string {
  try {
    return (JSON.parse(readFileSync(bundled('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Run the CLI on `argv` (as `process.argv`: node, script, args...). Resolves to the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const cli = cac('riskwasm');
  let exitCode: number = EXIT.ok;
  const controller = new AbortController();
  const outputs = new OutputSet();
  const onSigint = () => {
    outputs.discardSync();
    if (controller.signal.aborted) process.exit(EXIT.interrupted); // a second Ctrl-C: leave now
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  for (const spec of COMMANDS) {
    const cmd = cli.command(spec.syntax, spec.description);
    for (const o of spec.options) cmd.option(o.flags, o.description, o.default !== undefined ? { default: o.default } : undefined);
    for (const ex of spec.examples ?? []) cmd.example(ex);
    cmd.action(async (...args: unknown[]) => {
      const options = args.pop() as Record<string, unknown>;
      exitCode = await runCommand(spec, args, options, controller.signal, outputs);
    });
  }
  cli.option('--json', 'Print the report as JSON (schema riskwasm.<command>/1, see docs/cli.md)');
  cli.option('--out <file>', 'Write the report to a file instead of stdout (atomically)');
  cli.option('--backend <backend>', 'Compute backend: auto, wasm or js', { default: 'auto' });
  cli.option('--quiet', 'No notes on stderr');
  // cac gives a negated flag (`--no-backtest`) the default true of the option it negates and
  // prints "(default: true)" beside it, which reads as "skipped by default": drop that note.
  cli.help((sections) => sections.map((s) => ({ ...s, body: s.body.replace(/^(\s*--no-\S+.*?)\s*\(default: true\)$/gm, '$1') })));
  cli.version(version());
  cli.example('riskwasm surface --json > surface.json');
  cli.example('riskwasm calibrate --model svi --plot smiles.html');
  cli.example('riskwasm var --portfolio examples/portfolios/btc-eth-options.json --method historical');

  try {
    cli.parse(argv, { run: false });
    if (cli.options.help || cli.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new BadInputError(`unknown command ${JSON.stringify(cli.args[0])} (commands: ${COMMANDS.map((c) => c.syntax.split(' ')[0]).join(', ')})`);
      cli.outputHelp();
      return EXIT.ok;
    }
    await cli.runMatchedCommand();
    return exitCode;
  } catch (e) {
    return report(e, controller.signal, cli.matchedCommandName);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function runCommand(spec: CliCommand, args: unknown[], options: Record<string, unknown>, signal: AbortSignal, outputs: OutputSet): Promise<number> {
  const backend = String(options.backend ?? 'auto');
  if (!BACKENDS.includes(backend)) throw new BadInputError(`expected auto, wasm or js, got ${JSON.stringify(options.backend)}`, { field: '--backend' });
  if (options.json && options.csv) throw new BadInputError('choose one of --json and --csv', { field: '--csv' });
  if (options.out !== undefined && (options.out === true || String(options.out) === '')) throw new BadInputError('expected a file name', { field: '--out' });
  // Checked before the work: staged later, the report would silently replace the plot.
  if (options.out !== undefined && options.plot !== undefined && resolve(String(options.out)) === resolve(String(options.plot))) {
    throw new BadInputError('two outputs name the same file (--out and --plot)', { file: displayPath(resolve(String(options.out))) });
  }
  // The renderer is an optional peer dependency: a missing one fails before the work, not after it.
  if (options.plot !== undefined) await loadChartRenderer();
  let engine: Promise<Engine> | undefined;
  const ctx: CliContext = {
    engine: () => (engine ??= createEngine({ backend: backend as 'auto' | 'wasm' | 'js' })),
    note: (m) => { if (!options.quiet) process.stderr.write(m + '\n'); },
    progress: (label, total) => createProgress(label, total),
    async checkpoint() {
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) throw new InterruptedError();
    },
    signal,
    outputs,
    async stagePlot(path, chart, title) {
      outputs.stage(path, await renderPlot(chart, plotFormat(path), title));
    },
  };
  const result = await spec.run(ctx, args, options);
  await ctx.checkpoint();
  const body = options.json ? toJson(result.json) : options.csv && result.csv ? result.csv() : result.text() + '\n';
  if (options.csv && !result.csv) throw new BadInputError(`--csv is not available for this command`, { field: '--csv' });
  if (options.out !== undefined) outputs.stage(String(options.out), body);
  await outputs.commit();
  if (signal.aborted) throw new InterruptedError();
  if (options.out === undefined) await writeStdout(body);
  for (const p of outputs.paths) if (!options.quiet) process.stderr.write(`riskwasm: wrote ${p}\n`);
  return result.exitCode ?? EXIT.ok;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

function report(e: unknown, signal: AbortSignal, command?: string): number {
  const err = (msg: string) => process.stderr.write(`riskwasm: ${msg}\n`);
  if (e instanceof InterruptedError || signal.aborted) {
    err('interrupted: nothing written');
    return EXIT.interrupted;
  }
  if (e instanceof CliError) {
    err(`error: ${e.message}`);
    return e.exitCode;
  }
  if (e instanceof InputError) {
    err(`error: ${e.path}: ${inputProblem(e)}`);
    return EXIT.badInput;
  }
  if (e instanceof Error && e.name === 'CACError') {
    err(`error: ${e.message} (see riskwasm ${command ?? ''}${command ? ' ' : ''}--help)`);
    return EXIT.badInput;
  }
  if (e instanceof RiskwasmError) {
    err(`error: ${e.message}`);
    return EXIT.failed;
  }
  err(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return EXIT.failed;
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok); // output piped into `head`: not an error
  throw e;
});

main().then((code) => {
  process.exitCode = code;
});
