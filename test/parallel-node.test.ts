// Node only (skipped in Chromium): the built package used from a copy of dist/ + build/, as a
// published install would be, with no worker configuration; idle pool workers do not keep the
// process alive. The browser side of "no configuration" is the pool suite itself, which runs in
// Chromium through Vite's handling of `new Worker(new URL(...), { type: 'module' })`.
import { describe, expect, it } from 'vitest';
import { loadHost } from '../src/parallel/worker-host.js';

const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

describe('worker host', () => {
  it('is worker_threads in Node and Web Workers in the browser (cross-origin isolated)', async () => {
    const host = await loadHost();
    expect(host.kind).toBe(IS_NODE ? 'node' : 'web');
    expect(host.parallelism).toBeGreaterThanOrEqual(1);
    if (!IS_NODE) expect((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated).toBe(true);
  });
});

describe.runIf(IS_NODE)('Node: the built package, as installed', () => {
  it('runs workers from dist with default options, rebuilds errors, and exits without close()', async () => {
    const [{ spawn }, fs, os, path, url] = await Promise.all([
      import('node:child_process'), import('node:fs/promises'), import('node:os'), import('node:path'), import('node:url'),
    ]);
    const root = url.fileURLToPath(new URL('../', import.meta.url));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'riskwasm-parallel-'));
    try {
      // A copy, not a link: the worker script must be found beside the copied dist/parallel/.
      const pkg = path.join(dir, 'node_modules', 'riskwasm');
      await fs.mkdir(pkg, { recursive: true });
      await fs.cp(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
      await fs.cp(path.join(root, 'build'), path.join(pkg, 'build'), { recursive: true });
      await fs.copyFile(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
      const script = path.join(root, 'test/fixtures/parallel-consumer.mjs');
      const t0 = performance.now();
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [script, pkg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (c) => { clearTimeout(timer); resolve({ code: c, stdout: out, stderr: err }); });
      });
      const ms = performance.now() - t0;
      expect(code, stderr).toBe(0);
      expect(ms).toBeLessThan(15_000); // exited by itself (a kept-alive worker would hit the 20 s kill)
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
        backend: 'wasm', same: true, sum: 8 * 200 * 252, pools: 1, spawned: 2, live: 2, sharedOutput: true,
        error: { name: 'InputError', isInputError: true, path: 'job.drawsPerPath', value: 0 },
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
