/**
 * The public surface and its documentation agree: `riskwasm/internals` hands out the very objects
 * the deprecated main-entry aliases do, and docs/api.md names every deprecated export of the
 * committed API report (so no rename ships without its line in the table).
 */
import { describe, it, expect } from 'vitest';
import report from '../api/riskwasm.api.md?raw';
import apiDoc from '../docs/api.md?raw';
import * as main from '../src/index.js';
import * as internals from '../src/internals.js';

/** Names of the exports marked `/** @deprecated *\/` at top level of an API report. */
function deprecatedExports(text: string): string[] {
  const names: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i] !== '/** @deprecated */') continue;
    const m = /^export (?:declare )?(?:abstract )?(?:function|const|let|class|interface|type|enum) ([A-Za-z_$][\w$]*)/.exec(lines[i + 1]!);
    if (m) names.push(m[1]!);
  }
  return names;
}

describe('public surface', () => {
  it('each internal still exported from the main entry is the same object as in riskwasm/internals', () => {
    const shared = Object.keys(internals).filter((k) => k in main);
    expect(shared.length).toBeGreaterThan(30);
    for (const k of shared) expect((main as Record<string, unknown>)[k], k).toBe((internals as Record<string, unknown>)[k]);
    // Moved with no alias: nothing documented used them.
    for (const k of ['packPortfolio', 'checkMarket', 'isValidatedGrid']) {
      expect(k in main, k).toBe(false);
      expect(k in internals, k).toBe(true);
    }
  });

  it('docs/api.md names every deprecated export of the API report', () => {
    const deprecated = deprecatedExports(report);
    expect(deprecated).toContain('philoxUniforms');
    expect(deprecated).toContain('MemoryArena');
    const missing = deprecated.filter((n) => !new RegExp(`\\b${n}\\b`).test(apiDoc));
    expect(missing).toEqual([]);
  });

  it('the removed exports are gone from the main entry', () => {
    for (const k of ['monteCarloSync', 'MIN_ITEMS_PER_WORKER', 'DEFAULT_SHARD_SIZE', 'MAX_SOBOL_POINTS', 'DERIBIT_EXTENDED_MOVES']) expect(k in main, k).toBe(false);
  });
});
