/**
 * The committed API report (api/*.api.md) matches the sources: a change to the public surface
 * must come with the regenerated report (`npm run api`), so review sees it as a diff.
 *
 * Emits the declarations of src/ into a temp dir (not dist/, which other tests use), runs
 * scripts/api-report.mjs on them with `--check`, and fails with the script's line diff.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TSC_CLI, run } from './harness.js';

describe('API report', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'riskwasm-api-'));
    await run(process.execPath, [TSC_CLI, '-p', 'tsconfig.build.json', '--outDir', dir, '--emitDeclarationOnly', '--sourceMap', 'false'], ROOT, 300_000);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('api/*.api.md is what scripts/api-report.mjs writes for the current sources', async () => {
    let failure = '';
    try {
      await run(process.execPath, ['scripts/api-report.mjs', '--dist', dir, '--check'], ROOT);
    } catch (e) {
      failure = (e as Error).message;
    }
    expect(failure, 'the API report is stale: run `npm run api` and commit api/').toBe('');
  });

  it('reports every package entry point, and `npm run api` regenerates them', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const entry of ['.', './charts', './internals']) expect(pkg.exports[entry]?.types, entry).toMatch(/\.d\.ts$/);
    expect(pkg.scripts.api).toContain('scripts/api-report.mjs');
    const main = readFileSync(join(ROOT, 'api/riskwasm.api.md'), 'utf8');
    // The Engine class is printed with its members: a method added or changed shows up here.
    expect(main).toMatch(/export declare class Engine [^]*portfolioLiquidationPrice\(/);
    expect(readFileSync(join(ROOT, 'api/internals.api.md'), 'utf8')).toContain('export declare class MemoryArena');
  });
});
