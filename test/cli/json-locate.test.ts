/**
 * The JSON line locator of the CLI (src/cli/json-locate.ts): same answers as a recursive reference
 * scanner on ordinary files, and a bounded, one-line error (naming the file) on hostile nesting
 * instead of a stack overflow. Pure functions: no process is spawned.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLines, MAX_JSON_DEPTH } from '../../src/cli/json-locate.js';
import { BadInputError } from '../../src/cli/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Reference: the path -> line map computed from JSON.parse's tree and a recursive walk of the text (fine for shallow files). */
function reference(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0, line = 1;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) { if (text[i] === '\n') line++; i++; } };
  const str = () => { const s = i; i++; while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1; i++; return JSON.parse(text.slice(s, i)) as string; };
  const value = (path: string): void => {
    ws();
    out.set(path, line);
    const ch = text[i];
    if (ch === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) { ws(); const k = str(); ws(); i++; value(path ? `${path}.${k}` : k); ws(); if (text[i++] === '}') return; }
    } else if (ch === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (let k = 0; ; k++) { value(`${path}[${k}]`); ws(); if (text[i++] === ']') return; }
    } else if (ch === '"') str();
    else while (i < text.length && /[^\s,\]}]/.test(text[i])) i++;
  };
  value('');
  return out;
}

describe('jsonLines', () => {
  it('gives every path the line of its value, as the recursive reference does, on the bundled examples and edge cases', () => {
    const texts = [
      readFileSync(`${ROOT}examples/portfolios/margin-accounts.json`, 'utf8'),
      readFileSync(`${ROOT}examples/portfolios/btc-eth-options.json`, 'utf8'),
      '{}', '[]', '1', '"x"', '{ "a": [ ], "b": { }, "c": [1, [2, [3]], {"d": "}]\\"" }] }',
      '{\n "__proto__": {\n  "constructor": [\n 1,\n 2 ] },\n "x\\"y": null\n}',
    ];
    for (const t of texts) {
      JSON.parse(t);
      expect([...jsonLines(t)]).toEqual([...reference(t)]);
    }
    const m = jsonLines('{\n "__proto__": {\n  "constructor": [\n 1,\n 2 ] }\n}');
    expect(m.get('__proto__.constructor[1]')).toBe(5);
    // The map is keyed by path strings; nothing was written on a plain object.
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('100,000-deep arrays or objects: a BadInputError naming the file and the line, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + '1' + ']'.repeat(100_000);
    const deepObj = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    for (const text of [deep, deepObj, `{\n"x":\n${deep}}`]) {
      let caught: unknown;
      try {
        jsonLines(text, 'deep.json');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(BadInputError);
      expect((caught as BadInputError).file).toBe('deep.json');
      expect((caught as BadInputError).line).toBe(text.startsWith('{\n') ? 3 : 1);
    }
    // At the bound itself the file is accepted.
    const ok = '['.repeat(MAX_JSON_DEPTH) + '1' + ']'.repeat(MAX_JSON_DEPTH);
    expect(jsonLines(ok).get(`${'[0]'.repeat(MAX_JSON_DEPTH)}`)).toBe(1);
  });
});
