/**
 * Files of the CLI: the bundled sample data (located beside the installed package, from this
 * module's URL), reading inputs with errors that name the file, and outputs staged to temporary
 * files and renamed into place only when the whole run succeeded (nothing half-written is ever
 * left behind, on failure or on Ctrl-C).
 */
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadInputError } from './errors.js';

/** Package root: this module is `dist/cli/files.js` (or `src/cli/files.ts` in tests). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of a bundled file, e.g. `bundled('data/history/BTCUSDT_1d.csv')`. */
export function bundled(rel: string): string {
  return join(ROOT, rel);
}

/** The bundled Deribit option-chain snapshot used when no chain file is given. */
export const BUNDLED_CHAIN = 'data/market/deribit_options_snapshot_20260105T153329Z.csv';
/** The bundled daily histories (Binance closes), by asset (a Map: asset names come from input files). */
export const BUNDLED_HISTORIES: ReadonlyMap<string, string> = new Map([
  ['BTC', 'data/history/BTCUSDT_1d.csv'],
  ['ETH', 'data/history/ETHUSDT_1d.csv'],
  ['SOL', 'data/history/SOLUSDT_1d.csv'],
]);
/** The bundled example portfolio used when `--portfolio` is not given. */
export const BUNDLED_PORTFOLIO = 'examples/portfolios/btc-eth-options.json';

/** A short display name for a path: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Read a text file, less a leading UTF-8 byte-order mark. @throws BadInputError naming the file when it cannot be read. */
export async function readText(path: string): Promise<string> {
  try {
    // Editors on Windows prefix a BOM, which JSON.parse rejects; no input format here gives it a meaning.
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new BadInputError(`cannot read (${why})`, { file: displayPath(path) });
  }
}

/** Outputs of one run: staged in memory, committed together at the end. */
export class OutputSet {
  private readonly outputs = new Map<string, string | Uint8Array>();
  private readonly temps = new Set<string>();

  /** Queue `content` for `path` (written only by {@link OutputSet.commit}). @throws BadInputError when `path` is already staged. */
  stage(path: string, content: string | Uint8Array): void {
    const abs = resolve(path);
    if (this.outputs.has(abs)) throw new BadInputError('two outputs name the same file', { file: displayPath(abs) });
    this.outputs.set(abs, content);
  }

  get paths(): string[] {
    return [...this.outputs.keys()];
  }

  /**
   * Write every staged output to a temporary file beside its target, then rename each into place
   * (a rename within a directory is atomic on POSIX). On any failure the temporaries are removed.
   * @throws BadInputError when a target is a directory, or its directory is missing or not writable.
   */
  async commit(): Promise<void> {
    // A directory as target would fail only at the rename, after other outputs may have landed: refuse it first.
    for (const path of this.outputs.keys()) {
      const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
      if (isDir) throw new BadInputError('cannot write (is a directory)', { file: displayPath(path) });
    }
    const pending: [string, string][] = [];
    try {
      for (const [path, content] of this.outputs) {
        const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
        this.temps.add(tmp);
        try {
          await writeFile(tmp, content);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new BadInputError(`cannot write (${code === 'ENOENT' ? 'no such directory' : code ?? (e as Error).message})`, { file: displayPath(path) });
        }
        pending.push([tmp, path]);
      }
      for (const [tmp, path] of pending) {
        try {
          await rename(tmp, path);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new BadInputError(`cannot write (${code === 'EISDIR' ? 'is a directory' : code ?? (e as Error).message})`, { file: displayPath(path) });
        }
        this.temps.delete(tmp);
      }
    } finally {
      await Promise.all([...this.temps].map((t) => unlink(t).catch(() => {})));
      this.temps.clear();
    }
  }

  /** Remove temporaries now (synchronously: called from a signal handler on the way out). */
  discardSync(): void {
    for (const t of this.temps) {
      try { unlinkSync(t); } catch { /* already gone */ }
    }
    this.temps.clear();
  }
}
