// A private redis-server for the distributed tests: Debian's binary (installed by .ci/run), on
// 127.0.0.1 at a free port, with its data in a temporary directory; restartable on the same port
// (with its append-only file, or wiped), and stopped in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop (SIGTERM: Redis writes its append-only file first) and start again on the same port. `wipe`: start from an empty directory (a restart that lost everything). */
  restart(options?: { wipe?: boolean }): Promise<void>;
  /** Stop for good and remove the directory. */
  stop(): Promise<void>;
}

/** Where redis-server is; the tests are skipped when it is not installed (.ci/run installs it). */
export const REDIS_SERVER = process.env.REDIS_SERVER || '/usr/bin/redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
    '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'notice',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start in 10 s: ${out}`));
    }, 10_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (/Ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Start a private redis-server (append-only file on, fsync always, so a SIGTERM restart keeps every write). */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let dir = mkdtempSync(join(tmpdir(), 'riskwasm-redis-'));
  let child = await launch(port, dir);
  const dirs = [dir];
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(options = {}) {
      child.kill('SIGTERM');
      await exited(child);
      if (options.wipe) {
        dir = mkdtempSync(join(tmpdir(), 'riskwasm-redis-'));
        dirs.push(dir);
      }
      child = await launch(port, dir);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
