/**
 * Shared helpers of the integration tests: run commands as a user would, pack and install the
 * package, serve a built app on 127.0.0.1, drive Debian's Chromium with Playwright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test/integration/fixtures');
export const ARTIFACTS = join(ROOT, 'test/.artifacts');
export const NODE_BIN = join(ROOT, 'node_modules');
export const VITE_CLI = join(NODE_BIN, 'vite/bin/vite.js');
export const TSC_CLI = join(NODE_BIN, 'typescript/bin/tsc');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * The environment of a child process that should behave as if a user had started it: no npm
 * lifecycle variables from the outer `npm test` / `npx` (npm_package_*, npm_lifecycle_*, and
 * npm_config_local_prefix, which would point nested npm commands back at this repository) and
 * none of vitest's (NODE_ENV=test, VITEST*). The machine's npm configuration given through the
 * environment (npm_config_registry, _cache, _userconfig, proxies...) is kept: a CI that reaches
 * the registry through a configured mirror or proxy must still reach it from the nested installs.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const npmConfig = /^npm_config_/i.test(k) && !/^npm_config_(local_prefix|prefix|global_prefix)$/i.test(k);
    if (!npmConfig && /^(npm_|VITEST|VITE_)/i.test(k)) continue;
    if (k === 'NODE_ENV' || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

export interface RunResult { stdout: string; stderr: string; ms: number }

export function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`... (${all.length - lines} lines cut)`] : []).concat(all.slice(-lines)).join('\n');
}

/** Run a command to completion; on failure throw with the command, exit code, stdout and stderr. */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`could not start ${cmd}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (code === 0) return resolvePromise({ stdout, stderr, ms });
      reject(new Error(
        `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${signal ? `killed by ${signal}${signal === 'SIGKILL' ? `, timeout ${timeoutMs} ms` : ''}` : `exit ${code}`})\n` +
        `--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
      ));
    });
  });
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what} did not print JSON:\n${tail(text)}`);
  }
}

/** Fail early, with the fix, when the package has not been built. */
export function requireBuilt(files = ['dist/index.js', 'dist/index.d.ts', 'build/riskwasm.wasm']): void {
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
}

/** `npm pack` the built tree into `dir`; returns the tarball path and the packed file list. */
export async function packPackage(dir: string): Promise<{ tarball: string; files: string[]; ms: number }> {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
  const info = parseJson<{ filename: string; files: { path: string }[] }[]>(packed.stdout, 'npm pack --json')[0];
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path), ms: packed.ms };
}

/**
 * `npm install` the tarball into the project at `dir`. The tarball's own dependencies (cac, vega,
 * vega-lite) come from the npm cache this repository's install filled (`--prefer-offline`: no
 * registry round trip when they are there; the registry only when they are not).
 */
export async function installTarball(dir: string, tarball: string): Promise<RunResult> {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', tarball], dir);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
};

/** A minimal static file server for `dir` on 127.0.0.1 (ephemeral port), as any host would be. */
export async function serveStatic(dir: string): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    let pathname = '';
    // A malformed escape must be a 404, not an exception thrown in the test process.
    try { pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch { /* file stays '' */ }
    let file = pathname ? normalize(join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname)) : '';
    if (file !== base && !file.startsWith(base + sep)) file = '';
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
        res.end(body);
      },
      () => {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // closeAllConnections: a keep-alive socket left by a browser that did not close cleanly must not hold close() open.
  const close = () => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close };
}

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Start `vite` (dev server) in `dir`; resolve once it prints its local URL. `port` is where it
 * starts looking: no --strictPort, so a port taken meanwhile (freePort closes its probe before
 * vite binds) makes vite take the next free one; the URL is read from its output.
 */
export function startViteDev(dir: string, port: number): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [VITE_CLI, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const log = () => output;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`vite dev did not start in 30 s:\n${tail(output)}`)); }, 30_000);
    const onData = (d: Buffer) => {
      output += d;
      // eslint-disable-next-line no-control-regex
      const m = /Local:\s+(http:\/\/\S+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) { clearTimeout(timer); resolvePromise({ child, url: m[1], log }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite dev exited (${code}) before it was ready:\n${tail(output)}`)); });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Launch Debian's Chromium (or CHROMIUM_PATH) headless; the error says how to get one. */
export async function launchChromium(): Promise<Browser> {
  // `||`, not `??`: an empty variable must fall back too.
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (e) {
    throw new Error(`could not launch Chromium at ${executablePath} (set CHROMIUM_PATH, or apt-get install chromium): ${String(e)}`);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
