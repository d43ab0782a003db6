import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Debian's Chromium (no browser downloads work here). `||`, not `??`: an empty variable must fall back too.
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const unit = ['test/**/*.test.ts'];
const integration = ['test/integration/**/*.test.ts'];
// CLI end-to-end tests spawn `node dist/cli/main.js`: Node only, in their own project.
const cli = ['test/cli/**/*.test.ts'];
// [scale] riskwasm/distributed against a real redis-server and worker processes (Node only, built package).
const distributed = ['test/distributed/**/*.test.ts'];
// Statistical tests (Monte Carlo within k standard errors, GARCH recovery, rolling backtests):
// the slowest files, in their own `slow` project (Node). `npm test` runs every project.
const slow = [
  'test/risk-backtests.test.ts', 'test/montecarlo-heston.test.ts', 'test/montecarlo-gbm.test.ts', 'test/montecarlo-jumps.test.ts',
  'test/montecarlo-multi-asset.test.ts', 'test/risk-garch.test.ts', 'test/calibration-global.test.ts',
  'test/hedging-simulate-statistics.test.ts', // [hedging] simulate
];
// Of those, the files that only check statistics of the random streams stay out of Chromium: the
// streams are bit-identical across backends and environments, which test/montecarlo-backends.test.ts
// checks there for every model and payoff. The others also compare the backends (multi-asset,
// GARCH fits, the global stage) and run in Chromium for that.
const statisticsOnly = ['test/risk-backtests.test.ts', 'test/montecarlo-heston.test.ts', 'test/montecarlo-gbm.test.ts', 'test/montecarlo-jumps.test.ts'];
statisticsOnly.push('test/hedging-simulate-statistics.test.ts'); // [hedging] simulate

// Under CI, also write vitest's JSON report: .ci/run prints its counts as `N passed, N failed`.
const ci = !!process.env.CI && process.env.CI !== 'false';

export default defineConfig({
  // Cross-origin isolation, so SharedArrayBuffer (worker pools) is available in the browser project.
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  test: {
    reporters: ci ? ['default', 'json'] : ['default'],
    // Read by tests in both environments (the browser has no process.env): the fuzz harness pins its seed under CI.
    provide: { ci },
    outputFile: ci ? { json: '.vitest-results.json' } : undefined,
    projects: [
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: unit, exclude: [...integration, ...cli, ...slow, ...distributed], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'slow', environment: 'node', include: slow, testTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: unit,
          exclude: [...integration, ...cli, ...statisticsOnly, ...distributed],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath, args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: { name: 'cli', environment: 'node', include: cli, testTimeout: 120_000 },
      },
      {
        extends: true,
        // [scale] Files one after another: each starts its own redis-server and worker processes.
        test: { name: 'distributed', environment: 'node', include: distributed, testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false },
      },
      {
        extends: true,
        test: { name: 'integration', environment: 'node', include: integration, testTimeout: 600_000, hookTimeout: 600_000 },
      },
    ],
  },
});
