/** hedgeGreeksChart: the spec carries one row per (bucket, series, greek) with a finite value, in the given order; errors name the field. */
import { describe, expect, it } from 'vitest';
import { hedgeGreeksChart } from '../src/charts/index.js';
import { expectInputError } from './backends.js';

describe('hedgeGreeksChart', () => {
  it('rows per bucket, series and greek (non-finite skipped), buckets in order, one panel per greek', () => {
    const book = [{ asset: 'BTC', label: '<=7d', delta: 1, gamma: 2, vega: 3 }, { asset: 'BTC', label: '7d-30d', delta: -4, gamma: NaN, vega: 6 }];
    const hedged = [{ asset: 'BTC', label: '<=7d', delta: 0.1, gamma: 0.2, vega: 0.3 }];
    const spec = hedgeGreeksChart({ book, hedged, title: 't' }) as unknown as { data: { values: { bucket: string; series: string; greek: string; value: number }[] }; spec: { encoding: { x: { sort: string[] } } }; facet: { row: { sort: string[] } } };
    expect(spec.data.values).toHaveLength(3 + 2 + 3);
    expect(spec.data.values.find((r) => r.series === 'book' && r.bucket === 'BTC 7d-30d' && r.greek === 'delta')!.value).toBe(-4);
    expect(spec.data.values.some((r) => r.greek === 'gamma' && r.bucket === 'BTC 7d-30d')).toBe(false);
    expect(spec.spec.encoding.x.sort).toEqual(['BTC <=7d', 'BTC 7d-30d']);
    expect(spec.facet.row.sort).toEqual(['delta', 'gamma', 'vega']);
  });
  it('malformed input throws InputError naming the field', () => {
    expectInputError(() => hedgeGreeksChart({ book: [] }), 'input.book');
    expectInputError(() => hedgeGreeksChart({ book: [{ asset: 'BTC', label: 'x', delta: 1, gamma: 1, vega: 1 }], greeks: ['rho' as never] }), 'input.greeks[0]');
    expectInputError(() => hedgeGreeksChart({ book: [{ asset: 'BTC', label: 1 as never, delta: 1, gamma: 1, vega: 1 }] }), 'input.book[0]');
  });
});
