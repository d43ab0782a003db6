// The grid presets DERIBIT_GRID and SPAN16_GRID are built on first use (issue 13, cold start):
// each must be indistinguishable from the grid its builder returns, wherever a grid goes (margin
// calls, spread into scenarioGrid, JSON, structured clone to workers).
import { describe, expect, it } from 'vitest';
import { DERIBIT_GRID, SPAN16_GRID, deribitGrid, isValidatedGrid, scenarioGrid, span16Grid, type ScenarioGrid } from '../src/margin/grids.js';
import { portfolioMargin } from '../src/margin/portfolio-margin.js';
import type { MarginMarket } from '../src/margin/types.js';
import { BACKENDS, engineFor } from './backends.js';

const PRESETS: [string, ScenarioGrid, () => ScenarioGrid][] = [
  ['DERIBIT_GRID', DERIBIT_GRID, () => deribitGrid()],
  ['SPAN16_GRID', SPAN16_GRID, () => span16Grid()],
];

describe.each(PRESETS)('%s, built on first use', (_name, preset, build) => {
  it('has the builder\'s keys in its order and equal values, and is frozen and validated', () => {
    const ref = build();
    expect(Object.keys(preset)).toEqual(Object.keys(ref));
    expect(preset).toEqual(ref);
    expect(JSON.stringify(preset)).toBe(JSON.stringify(ref));
    expect(Object.isFrozen(preset)).toBe(true);
    expect(Object.isFrozen(preset.scenarios)).toBe(true);
    expect(isValidatedGrid(preset)).toBe(true);
    // The same grid on every read (built once).
    expect(preset.scenarios).toBe(preset.scenarios);
    expect(preset.addOns).toBe(preset.addOns);
  });

  it('survives structured clone, spread and JSON round trips as the builder\'s grid', () => {
    const ref = build();
    expect(structuredClone(preset)).toEqual(structuredClone(ref));
    expect({ ...preset }).toEqual({ ...ref });
    expect(scenarioGrid(JSON.parse(JSON.stringify(preset)))).toEqual(ref);
    expect(scenarioGrid({ ...preset, name: 'copy' })).toEqual({ ...ref, name: 'copy' });
  });

  it('prints in Node as the builder\'s grid does (not a [Getter] per key)', async () => {
    if (typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string') return;
    const { inspect } = await import(/* @vite-ignore */ 'node:util');
    expect(inspect(preset, { depth: 4 })).toBe(inspect(build(), { depth: 4 }));
    expect(inspect(preset)).not.toContain('Getter');
  });

  it('cannot be modified', () => {
    expect(() => {
      (preset as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(preset.name).toBe(build().name);
  });
});

describe.each(BACKENDS)('presets in a margin call (%s)', (backend) => {
  it('give the same margin as the builders\' grids, bit for bit', async () => {
    const e = await engineFor(backend);
    // A short straddle and a future on one asset (values arbitrary; the two grids must agree exactly).
    const T = 30 / 365.25;
    const market: MarginMarket = { assets: { BTC: { index: 90_000, forwards: [{ expiry: T, price: 90_500 }] } } };
    const account = {
      positions: [
        { kind: 'option' as const, asset: 'BTC', size: -2, expiry: T, strike: 90_000, type: 'call' as const, vol: 0.55 },
        { kind: 'option' as const, asset: 'BTC', size: -2, expiry: T, strike: 80_000, type: 'put' as const, vol: 0.62 },
        { kind: 'future' as const, asset: 'BTC', size: 1, expiry: T },
      ],
    };
    for (const [, preset, build] of PRESETS) {
      expect(portfolioMargin(e, account, market, preset)).toEqual(portfolioMargin(e, account, market, build()));
    }
  });
});
