/**
 * The published package works with no loader configuration.
 *
 * `npm pack` the already-built tree (the caller runs `npm run build` first), install the tarball
 * into fresh temp projects and use it as a user would:
 * - Node: `import { createEngine } from 'riskwasm'` (default options pick WASM), `backend: 'js'`,
 *   `createEngineSync` with the bytes of the `riskwasm/riskwasm.wasm` export, and a `tsc --noEmit`
 *   of a small TypeScript consumer (moduleResolution nodenext).
 * - Vite: a minimal app (index.html + main.js, no config, no plugins): `vite build`, served by a
 *   tiny static server on 127.0.0.1 and opened in Chromium; then the same app under `vite` (dev
 *   server, dependency pre-bundling on).
 *
 * Vite and TypeScript run from this repository's devDependencies (same versions a user gets),
 * so the only install from the registry is the tarball's own dependency.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/integration/fixtures');
const ARTIFACTS = join(ROOT, 'test/.artifacts');
const NODE_BIN = join(ROOT, 'node_modules');
const VITE_CLI = join(NODE_BIN, 'vite/bin/vite.js');
const TSC_CLI = join(NODE_BIN, 'typescript/bin/tsc');

const HAUG_CALL = 2.1334; // Haug: S=60, K=65, T=0.25, r=0.08, vol=0.30 call, printed to 4 decimals
const HAUG_B76 = 1.7011; // Haug's Black-76 example: F=K=19, T=0.75, r=0.10, vol=0.28, call = put
const TOL = 1e-4;

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// helpers

/**
 * The environment of a child process that should behave as if a user had started it: no npm
 * lifecycle variables from the outer `npm test` (npm_config_local_prefix would point nested npm
 * commands back at this repository) and none of vitest's (NODE_ENV=test, VITEST*).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|VITE_)/i.test(k) || k === 'NODE_ENV' || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

interface RunResult { stdout: string; stderr: string; ms: number }

function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`... (${all.length - lines} lines cut)`] : []).concat(all.slice(-lines)).join('\n');
}

/** Run a command to completion; on failure throw with the command, exit code, stdout and stderr. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
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

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what} did not print JSON:\n${tail(text)}`);
  }
}

/** Copy a fixture app into a fresh directory and install the tarball there. */
async function makeProject(fixture: string, dir: string, tarball: string): Promise<void> {
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', tarball], dir);
  // The install is a copy from the tarball, never a link back into this repository.
  const pkg = JSON.parse(await readFile(join(dir, 'node_modules/riskwasm/package.json'), 'utf8')) as { name: string };
  expect(pkg.name).toBe('riskwasm');
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
};

/** A minimal static file server for `dir` on 127.0.0.1 (ephemeral port), as any host would be. */
async function serveStatic(dir: string): Promise<{ server: Server; url: string }> {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname));
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
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Start `vite` (dev server) in `dir`; resolve once it prints its local URL. */
function startViteDev(dir: string, port: number): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [VITE_CLI, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

interface PageResult {
  backend?: string;
  fallbackReason?: string | null;
  price?: number;
  black76?: number[];
  impliedVol?: number[];
  jsPrice?: number;
  wasmResources?: string[];
  error?: string;
}

interface Visit { result: PageResult; wasmResponses: { url: string; status: number; type: string }[]; problems: string[] }

/** Open `url`, wait for the page to write its result, take a screenshot. */
async function visit(browser: Browser, url: string, screenshot: string): Promise<Visit> {
  const page: Page = await browser.newPage();
  const wasmResponses: Visit['wasmResponses'] = [];
  const problems: string[] = [];
  page.on('response', (r) => {
    if (/\.wasm(\?|$)/.test(new URL(r.url()).pathname + new URL(r.url()).search)) {
      wasmResponses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
    }
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  try {
    await page.goto(url);
    try {
      await page.waitForSelector('#result[data-done]', { timeout: 30_000 });
    } catch {
      throw new Error(`the page at ${url} wrote no result in 30 s; #result = ${await page.textContent('#result')}\n${problems.join('\n')}`);
    }
    const text = (await page.textContent('#result')) ?? '';
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    return { result: parseJson<PageResult>(text, `the page at ${url}`), wasmResponses, problems };
  } finally {
    await page.close();
  }
}

function expectHaug(r: PageResult, where: string): void {
  expect(r.error, `${where}: the page threw`).toBeUndefined();
  expect(r.backend, `${where}: fell back to JS: ${r.fallbackReason}`).toBe('wasm');
  expect(r.fallbackReason ?? null).toBeNull();
  expect(Math.abs(r.price! - HAUG_CALL), `${where}: price ${r.price}`).toBeLessThanOrEqual(TOL);
  expect(r.black76, `${where}: Black-76`).toHaveLength(2);
  for (const p of r.black76!) expect(Math.abs(p - HAUG_B76), `${where}: Black-76 ${p}`).toBeLessThanOrEqual(TOL);
  expect(r.impliedVol, `${where}: implied vol`).toHaveLength(2);
  for (const v of r.impliedVol!) expect(Math.abs(v - 0.28), `${where}: implied vol round trip ${v}`).toBeLessThanOrEqual(1e-12);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---------------------------------------------------------------------------------------------

let tmp = '';
let tarball = '';
let packedFiles: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'build/riskwasm.wasm']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  tmp = await mkdtemp(join(tmpdir(), 'riskwasm-integration-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
  timings.pack = packed.ms;
  const info = parseJson<{ filename: string; files: { path: string }[] }[]>(packed.stdout, 'npm pack --json')[0];
  tarball = join(tmp, info.filename);
  packedFiles = info.files.map((f) => f.path);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  console.info(`[integration] timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
});

describe('npm pack', () => {
  it('ships the compiled JS, the declarations and the .wasm, and no sources', async () => {
    expect((await stat(tarball)).size).toBeGreaterThan(0);
    for (const f of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/engine.js', 'dist/wasm-module.js', 'build/riskwasm.wasm', 'LICENSE', 'NOTICE.md']) {
      expect(packedFiles, `${f} is not in the tarball`).toContain(f);
    }
    // NOTICE.md carries the licence of the Sobol direction numbers compiled into dist/.
    const stray = packedFiles.filter((f) => /^(src|assembly|test|bench|scripts|data|node_modules)\//.test(f) || f.endsWith('.wat'));
    expect(stray, 'sources or dev files in the tarball').toEqual([]);
  });
});

describe('Node consumer (fresh project, npm install <tarball>)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = join(tmp, 'node-consumer');
    const t0 = performance.now();
    await makeProject('node-consumer', dir, tarball);
    timings.nodeInstall = performance.now() - t0;
  });

  it("default createEngine() picks WASM and prices Haug's cases and inverts Black-76 (implied vol); backend 'js', createEngineSync(bytes of riskwasm/riskwasm.wasm) agree", async () => {
    const r = await run(process.execPath, ['consumer.mjs'], dir);
    timings.nodeConsumer = r.ms;
    type Summary = PageResult & { black76: number[] };
    const out = parseJson<Record<'auto' | 'wasm' | 'js' | 'sync' | 'syncModule', Summary> & { wasmUrl: string; greeks: { delta: number; vega: number } }>(
      r.stdout, 'consumer.mjs',
    );
    expectHaug(out.auto, 'createEngine()');
    expectHaug(out.wasm, "createEngine({ backend: 'wasm' })");
    expectHaug(out.sync, 'createEngineSync(bytes)');
    expectHaug(out.syncModule, 'createEngineSync(module)');
    expect(out.js.backend).toBe('js');
    expect(Math.abs(out.js.price! - HAUG_CALL)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(out.js.price! - out.auto.price!)).toBeLessThanOrEqual(1e-13);
    for (const v of out.js.impliedVol!) expect(Math.abs(v - 0.28)).toBeLessThanOrEqual(1e-12);
    // The export resolves inside the installed package, not into this repository.
    expect(out.wasmUrl).toBe(new URL(`file://${join(dir, 'node_modules/riskwasm/build/riskwasm.wasm')}`).href);
    expect(out.greeks.delta).toBeGreaterThan(0.37);
    expect(out.greeks.delta).toBeLessThan(0.38);
    expect(out.greeks.vega).toBeGreaterThan(0);
  });

  it('the declarations resolve under moduleResolution nodenext (tsc --noEmit, skipLibCheck off)', async () => {
    const r = await run(process.execPath, [TSC_CLI, '-p', 'tsconfig.json'], dir);
    timings.tsc = r.ms;
  });
});

describe('Vite page (fresh project, no vite config, run in Chromium)', () => {
  let dir = '';
  let browser: Browser;
  beforeAll(async () => {
    dir = join(tmp, 'vite-page');
    const t0 = performance.now();
    await makeProject('vite-page', dir, tarball);
    timings.viteInstall = performance.now() - t0;
    const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    try {
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    } catch (e) {
      throw new Error(`could not launch Chromium at ${executablePath} (set CHROMIUM_PATH, or apt-get install chromium): ${String(e)}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('vite build emits the release .wasm as an asset; the built page runs the kernels in WASM', async () => {
    const built = await run(process.execPath, [VITE_CLI, 'build'], dir);
    timings.viteBuild = built.ms;
    const assets = await readdir(join(dir, 'dist/assets'));
    const wasmAssets = assets.filter((f) => f.endsWith('.wasm'));
    const release = sha256(await readFile(join(ROOT, 'build/riskwasm.wasm')));
    const hashes = await Promise.all(wasmAssets.map(async (f) => sha256(await readFile(join(dir, 'dist/assets', f)))));
    expect(hashes, `no emitted asset is build/riskwasm.wasm; dist/assets: ${assets.join(', ')}\n${built.stdout}`).toContain(release);

    const { server, url } = await serveStatic(join(dir, 'dist'));
    try {
      const t0 = performance.now();
      const v = await visit(browser, url, 'vite-page-build.png');
      timings.viteBuildPage = performance.now() - t0;
      expectHaug(v.result, 'vite build page');
      expect(Math.abs(v.result.jsPrice! - v.result.price!)).toBeLessThanOrEqual(1e-13);
      // The page fetched the hashed asset (streaming compile needs application/wasm).
      expect(v.wasmResponses.length, v.problems.join('\n')).toBeGreaterThan(0);
      for (const w of v.wasmResponses) {
        expect(w.status).toBe(200);
        expect(w.type).toBe('application/wasm');
        expect(new URL(w.url).pathname).toMatch(/^\/assets\/riskwasm-[\w-]+\.wasm$/);
      }
      expect(v.problems, 'errors in the page').toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('vite dev (dependency pre-bundling on, no optimizeDeps config) serves a page that runs the kernels in WASM', async () => {
    const { child, url, log } = await startViteDev(dir, await freePort());
    try {
      const t0 = performance.now();
      const v = await visit(browser, url, 'vite-page-dev.png');
      timings.viteDevPage = performance.now() - t0;
      expectHaug(v.result, `vite dev page\n${tail(log())}`);
      expect(v.wasmResponses.length).toBeGreaterThan(0);
      for (const w of v.wasmResponses) expect(w.status).toBe(200);
      expect(v.problems, `errors in the page\n${tail(log())}`).toEqual([]);
    } finally {
      await stopChild(child);
    }
  });
});
