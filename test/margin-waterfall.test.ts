import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { propertySeed } from './backends.js';
import { InputError } from '../src/index.js';
import { defaultWaterfall, WATERFALL_LAYERS, type WaterfallMember } from '../src/margin/default-waterfall.js';

// Pure JS (no kernels): one run covers both backends.
const err = (f: () => unknown) => { try { f(); } catch (e) { return e as InputError; } return undefined; };
const used = (r: ReturnType<typeof defaultWaterfall>, s: number) => Object.fromEntries(r.scenarios[s].layers.map((l) => [l.layer, l.used]));

const MEMBERS: WaterfallMember[] = [
  { id: 'A', margin: 100, defaultFund: 10, stressLoss: [250, 50], group: 'G1' },
  { id: 'A2', margin: 50, defaultFund: 5, stressLoss: [80, 0], group: 'G1' },
  { id: 'B', margin: 100, defaultFund: 20, stressLoss: [180, 300] },
  { id: 'C', margin: 200, defaultFund: 40, stressLoss: [-60, 150] },
  { id: 'D', margin: 50, defaultFund: 25, stressLoss: [-30, 20] },
];

describe('default waterfall', () => {
  it('one defaulter, by hand: margin, own fund, skin in the game, survivors fund, VM gains haircut, in that order', () => {
    const r = defaultWaterfall({ skinInTheGame: 10, members: [
      { id: 'A', margin: 100, defaultFund: 20, stressLoss: 200 },
      { id: 'B', margin: 50, defaultFund: 30, stressLoss: -40 },
    ] });
    expect(r.scenarios[0].defaulters).toEqual(['A']);
    expect(r.scenarios[0].layers.map((l) => l.layer)).toEqual([...WATERFALL_LAYERS]);
    expect(used(r, 0)).toEqual({
      defaulterMargin: 100, defaulterDefaultFund: 20, skinInTheGame: 10, survivorDefaultFund: 30, assessments: 0, variationMarginGainsHaircut: 40,
    });
    expect(r.scenarios[0].residual).toBe(0);
    expect(r.scenarios[0].stoppedAt).toBe('variationMarginGainsHaircut');
    expect(r.cover2.size).toBe(100); // A's 200 loss net of its 100 margin; B has no exposure
  });

  it('two scenarios with affiliates, by hand: layer usage, residuals, cover 1 and cover 2', () => {
    const r = defaultWaterfall({ members: MEMBERS, skinInTheGame: 15, scenarios: ['crash', 'rally'] });
    // crash: A, A2, B default (losses 250 + 80 + 180 = 510); margins 250, own funds 35, skin 15,
    // survivors' funds C 40 + D 25 = 65, VM gains of C (60) and D (30) = 90; residual 510 - 455 = 55.
    const s0 = r.scenarios[0];
    expect(s0.defaulters).toEqual(['A', 'A2', 'B']);
    expect(s0.loss).toBe(510);
    expect(used(r, 0)).toEqual({
      defaulterMargin: 250, defaulterDefaultFund: 35, skinInTheGame: 15, survivorDefaultFund: 65, assessments: 0, variationMarginGainsHaircut: 90,
    });
    expect(s0.residual).toBe(55);
    expect(s0.stoppedAt).toBe('uncovered');
    expect(s0.layers[3].byMember).toEqual({ C: 40, D: 25 });
    expect(s0.layers[0].byMember).toEqual({ A: 100, A2: 50, B: 100 });
    // rally: only B defaults (300 > 100): 100 margin, 20 fund, 15 skin, survivors' 80, no gains: residual 85.
    expect(r.scenarios[1].defaulters).toEqual(['B']);
    expect(r.scenarios[1].residual).toBe(85);
    expect(r.worstScenario).toBe(1);
    // Cover 2: crash, G1 (150 + 30) and B (80) = 260; cover 1: B's 200 in the rally.
    expect(r.cover2.size).toBe(260);
    expect(r.cover2.scenario).toBe('crash');
    expect(r.cover2.groups).toEqual([{ group: 'G1', exposure: 180 }, { group: 'B', exposure: 80 }]);
    expect(r.cover2.cover1).toBe(200);
    expect(r.cover2.cover1Group).toBe('B');
    expect(r.defaultFund).toEqual({ total: 100, coversCover2: false, shortfall: 160 });
    // Assessments of one contribution each cover the rally's residual but 5.
    const a = defaultWaterfall({ members: MEMBERS, skinInTheGame: 15, assessmentMultiple: 1 });
    expect(a.scenarios[1].layers[4].used).toBe(80);
    expect(a.scenarios[1].residual).toBe(5);
  });

  it('defaulter rules: a chosen set, and the cover-2 set', () => {
    const chosen = defaultWaterfall({ members: MEMBERS, skinInTheGame: 15, defaulters: ['C'] });
    // C's crash gain is no loss; in the rally its 150 loss sits inside its 200 margin.
    expect(chosen.scenarios.map((s) => s.loss)).toEqual([0, 150]);
    expect(chosen.scenarios[0].stoppedAt).toBe('noLoss');
    expect(used(chosen, 1).defaulterMargin).toBe(150);
    const c2 = defaultWaterfall({ members: MEMBERS, skinInTheGame: 15, defaulters: 'cover2' });
    expect(c2.scenarios[0].defaulters).toEqual(['A', 'A2', 'B']);
    expect(c2.scenarios[1].defaulters).toEqual(['B']); // the second group has no exposure in the rally
  });

  it('property: layers conserve the loss (1e-9 relative), never exceed what they hold, and run in order', () => {
    const seed = propertySeed('waterfall conserves loss');
    const member = (m: number) => fc.record({
      margin: fc.double({ min: 0, max: 1e6, noNaN: true }),
      defaultFund: fc.double({ min: 0, max: 1e5, noNaN: true }),
      stressLoss: fc.array(fc.double({ min: -1e6, max: 3e6, noNaN: true }), { minLength: m, maxLength: m }),
      group: fc.constantFrom(undefined, 'g1', 'g2'),
    });
    const arb = fc.integer({ min: 1, max: 4 }).chain((m) => fc.tuple(
      fc.array(member(m), { minLength: 1, maxLength: 8 }),
      fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }),
      fc.constantFrom<'marginShortfall' | 'cover2'>('marginShortfall', 'cover2'),
    ));
    fc.assert(fc.property(arb, ([ms, sitg, multiple, rule]) => {
      const members = ms.map((x, i) => ({ ...x, id: `m${i}`, group: x.group }));
      const r = defaultWaterfall({ members, skinInTheGame: sitg, assessmentMultiple: multiple, defaulters: rule });
      for (const s of r.scenarios) {
        const total = s.layers.reduce((t, l) => t + l.used, 0) + s.residual;
        if (Math.abs(total - s.loss) > 1e-9 * Math.max(s.loss, 1e-300)) return false;
        if (s.residual < 0 || s.layers.some((l) => l.used < 0 || l.used > l.available * (1 + 1e-15))) return false;
        // Pooled layers (skin in the game onward) are used only once every earlier one is exhausted.
        for (let k = 3; k < s.layers.length; k++) {
          if (s.layers[k].used > 0 && s.layers.slice(2, k).some((l) => l.used < l.available)) return false;
        }
        if (s.residual > 0 && s.layers.slice(2).some((l) => l.used < l.available)) return false;
      }
      return true;
    }), { seed, numRuns: 300 });
  });

  it('bad input: InputError with the path; members not modified', () => {
    const copy = JSON.parse(JSON.stringify(MEMBERS));
    expect(err(() => defaultWaterfall({ members: [{ id: 'A', margin: -1, defaultFund: 0, stressLoss: 1 }], skinInTheGame: 0 }))?.path).toBe('members[0].margin');
    expect(err(() => defaultWaterfall({ members: [MEMBERS[0], { ...MEMBERS[1], stressLoss: [1] }], skinInTheGame: 0 }))?.path).toBe('members[1].stressLoss');
    expect(err(() => defaultWaterfall({ members: [MEMBERS[0], { ...MEMBERS[1], id: 'A' }], skinInTheGame: 0 }))?.path).toBe('members[1].id');
    expect(err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, defaulters: ['Z'] }))?.path).toBe('defaulters[0]');
    expect(err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: Number.NaN }))?.path).toBe('skinInTheGame');
    expect(err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, scenarios: ['x'] }))?.path).toBe('scenarios');
    defaultWaterfall({ members: MEMBERS, skinInTheGame: 15 });
    expect(MEMBERS).toEqual(copy);
  });

  it('variationMarginGainsHaircut must be a boolean (a truthy string is not "yes"); scenario names must be strings', () => {
    for (const v of ['no', 0, 1, null, 'false']) {
      const e = err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, variationMarginGainsHaircut: v as never }));
      expect(e).toBeInstanceOf(InputError);
      expect(e?.path).toBe('variationMarginGainsHaircut');
    }
    // undefined keeps the default (true), and false is honoured: no VM gains haircut layer is used.
    const dflt = defaultWaterfall({ members: MEMBERS, skinInTheGame: 0 });
    const on = defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, variationMarginGainsHaircut: true });
    const off = defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, variationMarginGainsHaircut: false });
    expect(dflt).toEqual(on);
    const vmgh = (r: typeof off) => r.scenarios.map((sc) => sc.layers.find((l) => l.layer === 'variationMarginGainsHaircut')?.used ?? 0);
    expect(vmgh(on).some((u) => u > 0)).toBe(true);
    expect(vmgh(off).every((u) => u === 0)).toBe(true);
    const e = err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, scenarios: ['up', 7 as never] }));
    expect(e).toBeInstanceOf(InputError);
    expect(e?.path).toBe('scenarios[1]');
    expect(err(() => defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, scenarios: ['up', ''] }))?.path).toBe('scenarios[1]');
    expect(defaultWaterfall({ members: MEMBERS, skinInTheGame: 0, scenarios: ['up', 'down'] }).scenarios[1].scenario).toBe('down');
  });
});
