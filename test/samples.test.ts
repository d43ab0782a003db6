/**
 * The bundled samples' way in (issue 11 item 16): `loadSampleChain` / `loadSampleText` /
 * `sampleDataPath` find the shipped files beside the module, whatever the working directory
 * (Node reads them from disk, a browser fetches them). The installed-package view (dist/ and
 * `npm pack`) is checked in test/cli/samples-package.test.ts.
 */
import { describe, expect, it } from 'vitest';
import chain0105 from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import chain0415 from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import btc from '../data/history/BTCUSDT_1d.csv?raw';
import { expectInputError } from './backends.js';
import {
  DEFAULT_SAMPLE_CHAIN, loadDeribitChain, loadSampleChain, loadSampleText, RiskwasmError, SAMPLE_DATA, sampleDataPath, sampleDataUrl, type SampleName,
} from '../src/index.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

describe('bundled samples', () => {
  it('loadSampleText gives each file byte for byte (the ?raw import of the same file)', async () => {
    expect(await loadSampleText('market/deribit_options_snapshot_20260105T153329Z.csv')).toBe(chain0105);
    expect(await loadSampleText('market/deribit_options_snapshot_20260415T102447Z.csv')).toBe(chain0415);
    expect(await loadSampleText('history/BTCUSDT_1d.csv')).toBe(btc);
    for (const name of SAMPLE_DATA) expect((await loadSampleText(name)).length, name).toBeGreaterThan(1000);
  });

  it('loadSampleChain parses the named chain (default: the 2026-01-05 snapshot) as loadDeribitChain does', async () => {
    expect(DEFAULT_SAMPLE_CHAIN).toBe('market/deribit_options_snapshot_20260105T153329Z.csv');
    const a = await loadSampleChain();
    expect(a.length).toBe(1288);
    expect(Array.from(a.strike)).toEqual(Array.from(loadDeribitChain(chain0105).strike));
    const b = await loadSampleChain('market/deribit_options_snapshot_20260415T102447Z.csv', { onError: 'reject' });
    expect(b.length).toBe(1630);
  });

  it('an unknown name, a history given as a chain, or bad options: InputError naming the field', async () => {
    const e = expectInputError(() => sampleDataUrl('history/BTCUSDT_1D.csv' as SampleName), 'name');
    expect(e.suggestion).toBe('history/BTCUSDT_1d.csv');
    expectInputError(() => sampleDataUrl(42 as never), 'name');
    await expect(loadSampleChain('history/BTCUSDT_1d.csv')).rejects.toMatchObject({ code: 'INPUT', path: 'name' });
    await expect(loadSampleChain(DEFAULT_SAMPLE_CHAIN, null as never)).rejects.toMatchObject({ code: 'INPUT', path: 'options' });
    await expect(loadSampleChain(DEFAULT_SAMPLE_CHAIN, { onErr: 'skip' } as never)).rejects.toMatchObject({ code: 'INPUT', path: 'options.onErr', suggestion: 'onError' });
  });

  it.runIf(isNode)('Node: sampleDataPath is an absolute path to the file in data/, independent of the working directory', async () => {
    const { readFileSync } = await import('node:fs');
    const { isAbsolute } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const here = process.cwd();
    try {
      process.chdir('/');
      for (const name of SAMPLE_DATA) {
        const p = sampleDataPath(name);
        expect(isAbsolute(p)).toBe(true);
        expect(p).toBe(fileURLToPath(new URL(`../data/${name}`, import.meta.url)));
        expect(readFileSync(p, 'utf8')).toBe(await loadSampleText(name));
      }
      expect((await loadSampleChain()).length).toBe(1288);
    } finally {
      process.chdir(here);
    }
  });

  it.runIf(!isNode)('browser: the sample URL is served (fetched), and sampleDataPath says it is not a file', () => {
    expect(sampleDataUrl('history/BTCUSDT_1d.csv').protocol).not.toBe('file:');
    let caught: unknown;
    try {
      sampleDataPath('history/BTCUSDT_1d.csv');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RiskwasmError);
    expect((caught as RiskwasmError).code).toBe('SAMPLE_NOT_A_FILE');
  });
});
