// The riskwasm suite in Chromium (Debian's /usr/bin/chromium through Playwright): a tiny static
// server on 127.0.0.1 serves the repository (dist/, build/, bench/, node_modules/) with the right
// MIME types and cross-origin isolation headers (finer performance.now()), and bench/browser.html
// runs bench/suite.mjs, the same code as the Node run.

import { createServer } from 'node:http';
import { readFile, realpath } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './startup.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json', '.ts': 'text/plain',
};
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Serve ROOT on 127.0.0.1 (random port); only files under ROOT (node_modules may be a symlink). */
export async function serve() {
  const allowed = [resolve(ROOT), await realpath(join(ROOT, 'node_modules')).catch(() => null)].filter(Boolean);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      const path = resolve(ROOT, '.' + decodeURIComponent(url.pathname));
      const real = await realpath(path);
      if (!allowed.some((a) => real === a || real.startsWith(a + sep))) throw new Error('outside root');
      const body = await readFile(real);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(real)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await /** @type {Promise<void>} */ (new Promise((ok) => server.listen(0, '127.0.0.1', ok)));
  return { server, origin: `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}` };
}

async function pageResult(browser, url, log, timeoutMs) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (log) page.on('console', (m) => log(`  [chromium] ${m.text()}`));
  page.on('pageerror', (e) => log?.(`  [chromium] page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => /** @type {any} */ (window).__result !== undefined, null, { timeout: timeoutMs, polling: 200 });
  const result = await page.evaluate(() => /** @type {any} */ (window).__result);
  await context.close();
  return result;
}

/**
 * Run the startup probe (`startupReps` fresh contexts) and the suite in Chromium.
 * @param {{ log?: (line: string) => void, startupReps?: number, timeoutMs?: number }} [options]
 */
export async function runChromium({ log = () => {}, startupReps = 5, timeoutMs = 240_000 } = {}) {
  const { chromium } = await import('playwright');
  const { server, origin } = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const version = browser.version();
    const starts = [];
    for (let i = 0; i < startupReps; i++) {
      const r = await pageResult(browser, `${origin}/bench/browser.html?mode=startup`, null, 30_000);
      if (r.error) throw new Error(r.error);
      starts.push(r);
    }
    const startup = {
      reps: startupReps,
      importMs: median(starts.map((r) => r.importMs)),
      createEngineMs: median(starts.map((r) => r.createEngineMs)),
      totalMs: median(starts.map((r) => r.importMs + r.createEngineMs)),
      warmCreateEngineMs: median(starts.map((r) => r.warmCreateEngineMs)),
      backend: starts[0].backend,
    };
    log(`chromium ${version}: first createEngine ${startup.createEngineMs.toFixed(1)} ms (import ${startup.importMs.toFixed(1)} ms)`);
    const suite = await pageResult(browser, `${origin}/bench/browser.html?mode=suite`, log, timeoutMs);
    if (suite.error) throw new Error(suite.error);
    return { version, startup, ...suite };
  } finally {
    await browser.close();
    server.close();
  }
}
