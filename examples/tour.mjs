#!/usr/bin/env node
// A tour of the `riskwasm` command line on the bundled data (what `npm run demo` runs after
// `npm run build`): the implied-vol surface of a real Deribit snapshot, an SVI calibration with a
// smile plot, portfolio VaR/ES with a backtest and a P&L histogram, portfolio margin of Deribit accounts
// with a risk-matrix heatmap, and a short WASM vs JS bench.
// Each step runs the real CLI (`node dist/cli/main.js ...`) exactly as a user would type it.
// Plots go to demo-output/ (git-ignored). Usage: node examples/tour.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/cli/main.js');
const outDir = join(root, 'demo-output');
mkdirSync(outDir, { recursive: true });
const rel = (p) => relative(process.cwd(), p) || p;

function step(title, explain, args, { json = false, show = (s) => s } = {}) {
  console.log(`\n=== ${title}`);
  console.log(`$ riskwasm ${args.join(' ')}`);
  console.log(explain);
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.stderr) process.stderr.write(r.stderr.replace(/^(?=.)/gm, '  [stderr] '));
  if (r.status !== 0) {
    console.error(`FAILED: riskwasm ${args.join(' ')} exited with ${r.status}`);
    process.exit(1);
  }
  console.log(show(json ? JSON.parse(r.stdout) : r.stdout));
}

const head = (n) => (s) => {
  const lines = s.trimEnd().split('\n');
  return lines.length > n ? [...lines.slice(0, n), `  ... (${lines.length - n} more lines)`].join('\n') : lines.join('\n');
};

step(
  '1. Implied-vol surface of a Deribit snapshot',
  'Out-of-the-money BTC options with a bid and an ask: bid/mid/ask IV by the batch solver, Deribit\'s own mark IV beside\nthem, and Black-76 greeks at the mid. The first expiry is shown here; --json and --csv give every quote.',
  ['surface', '--currency', 'BTC', '--expiry', '27MAR26'],
  { show: head(24) },
);

const smiles = join(outDir, 'svi-smiles.html');
step(
  '2. SVI calibration, every BTC expiry',
  `Each expiry fitted on its own: RMSE in vol points, share of model vols inside the bid-ask, Durrleman's butterfly check,\nthe optimizer's stop reason and time. The smiles (bid/ask bars, mids, fitted curves) go to ${rel(smiles)}.`,
  ['calibrate', '--model', 'svi', '--currency', 'BTC', '--plot', smiles],
);

const hist = join(outDir, 'pnl-histogram.svg');
step(
  '3. VaR/ES of an options portfolio',
  `The bundled BTC/ETH options book revalued in full over the last 500 daily returns: 99% VaR and ES, the Euler\ndecomposition by position, and a rolling 250-day backtest with Kupiec, Christoffersen, traffic light and\nAcerbi-Szekely. The P&L histogram with the VaR/ES lines goes to ${rel(hist)}.`,
  ['var', '--method', 'historical', '--confidence', '0.99', '--plot', hist],
);

const matrix = join(outDir, 'margin-matrix.svg');
step(
  '4. Portfolio margin of four Deribit accounts',
  `A short strangle, a covered call, a delta-hedged book and a USDC-collateral account, positions by Deribit instrument\nname, repriced under Deribit's risk-matrix grid (+-16% x vol up/unchanged/down, plus extended moves): IM/MM, the\nworst scenario, each position's share of it, the standard (isolated) margin beside it, liquidation prices. The first\naccount is shown; the delta-hedged book's risk-matrix heatmap goes to ${rel(matrix)}.`,
  ['margin', '--grid', 'deribit', '--plot', matrix, '--account', 'btc-delta-hedged'],
  { show: head(22) },
);

step(
  '5. WASM vs pure JS on this machine (short)',
  'Each task checks both backends give the same numbers, then times warm calls (figures vary with machine load).',
  ['bench', '--size', '50000', '--budget', '300'],
);

step(
  '6. Machine-readable output',
  'Every command has --json with a versioned schema (docs/cli.md); NaN becomes null. For example, the VaR figures:',
  ['var', '--json', '--no-backtest', '--quiet'],
  { json: true, show: (j) => JSON.stringify({ schema: j.schema, method: j.method, confidence: j.confidence, var: j.var, es: j.es, currency: j.currency }, null, 2) },
);

console.log(`\nPlots written: ${rel(smiles)}, ${rel(hist)}, ${rel(matrix)} (open them in a browser). More: riskwasm --help, docs/cli.md.`);
