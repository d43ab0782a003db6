/** The built CLI (dist/cli/main.js) run as a child process, for the end-to-end CLI tests. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the CLI runs there, so bundled sample paths resolve). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI entry (`npm run build` makes it). */
export const MAIN = join(ROOT, 'dist/cli/main.js');

/** Run `riskwasm <args>` with no standard input; resolves with the exit code and both streams. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
