// The kernel spec (spec/kernels.json, spec/constants.json) is sound, the declarations generated
// from it are the committed ones (not stale), the AssemblyScript kernels have the signatures it
// gives, and the public status codes are its codes. test/kernel-parity.test.ts runs the kernels.
import { describe, it, expect } from 'vitest';
import kernelSpec from '../spec/kernels.json';
import constantSpec from '../spec/constants.json';
import { checkSpec, constantValues, renderAll } from '../scripts/kernel-spec/render.mjs';
import { parseLength } from '../scripts/kernel-spec/length.mjs';
import { Status } from '../src/index.js';

type Spec = Parameters<typeof checkSpec>[0];
type Constants = Parameters<typeof checkSpec>[1];
const spec = kernelSpec as unknown as Spec;
const constants = constantSpec as unknown as Constants;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

// Every file the generator may write, as committed (Vite reads them in Node and in the browser).
const committed = {
  ...import.meta.glob(['../assembly/**/*.ts', '../src/kernels/**/*.ts'], { query: '?raw', import: 'default', eager: true }),
} as Record<string, string>;

describe('kernel spec', () => {
  it('has no problems: kinds, names, length expressions, agreement rules', () => {
    expect(checkSpec(spec, constants)).toEqual([]);
    expect(spec.kernels.length).toBeGreaterThanOrEqual(32);
  });

  it('reports a broken spec (so the check above can fail)', () => {
    const broken = clone(spec);
    const heston = broken.kernels.find((k) => k.name === 'hestonPriceBatch')!;
    const work = heston.args.find((a) => a.name === 'pWork') as { length: string };
    work.length = '(maxPanel * 14 + 2) * nNodes';
    broken.kernels.push(clone(broken.kernels[0]));
    (broken.kernels[1] as { agree: unknown }).agree = { rule: 'ulps', source: 'nowhere' };
    const problems = checkSpec(broken, constants);
    expect(problems.some((p) => p.includes('hestonPriceBatch') && p.includes('maxPanel'))).toBe(true);
    expect(problems.some((p) => p.includes(`${broken.kernels[0].name} is defined twice`))).toBe(true);
    expect(problems.some((p) => p.includes(broken.kernels[1].name) && p.includes('ulps'))).toBe(true);
    const badConstant = clone(constants);
    badConstant.files[0].items.push({ name: 'STATUS_TOO_BIG', type: 'u8', value: 256 });
    expect(checkSpec(spec, badConstant)).toEqual(['constant STATUS_TOO_BIG: u8 value 256 is out of range']);
  });

  it('length expressions: integers, names, + - * and parentheses; anything else is an error', () => {
    expect(parseLength('(maxPanels * 14 + 2) * nNodes').evaluate({ maxPanels: 3, nNodes: 10 })).toBe(440);
    expect(parseLength('5 * n + n * n - 1').evaluate({ n: 3 })).toBe(23);
    expect(parseLength('LIQ_OUT_COLUMNS * 2').names).toEqual(['LIQ_OUT_COLUMNS']);
    for (const bad of ['n +', '(n', 'n / 2', 'n n', '']) expect(() => parseLength(bad), bad).toThrow(/length expression/);
    expect(() => parseLength('n').evaluate({})).toThrow(/n is not in scope/);
  });

  it('the generated files are the committed ones (run npm run gen:kernels after editing the spec)', () => {
    const files = renderAll(spec, constants);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([
      'assembly/status.ts', 'src/kernels/status.ts', 'assembly/kernel-exports.ts', 'src/kernels/kernel-signatures.ts',
      'assembly/kernel-signatures.ts', 'assembly/margin/layout.ts', 'src/kernels/margin/layout.ts',
    ]));
    for (const f of files) {
      const text = committed[`../${f.path}`];
      expect(text, `${f.path} is missing`).toBeTypeOf('string');
      expect(text === f.text, `${f.path} is stale: run npm run gen:kernels`).toBe(true);
    }
    // A changed constant changes the rendered text (the comparison above is not vacuous).
    const changed = clone(constants);
    const c = changed.files[0].items.find((it) => it && typeof it === 'object')!;
    (c as { value: number }).value += 100;
    const again = renderAll(spec, changed);
    expect(again.filter((f, i) => f.text !== files[i].text).map((f) => f.path)).toEqual([changed.files[0].assembly, changed.files[0].typescript]);
  });

  it('the public Status codes are the spec\'s STATUS_* codes', () => {
    const v = constantValues(constants);
    expect(Status).toEqual({
      ok: v.STATUS_OK, invalidInput: v.STATUS_INVALID_INPUT, belowIntrinsic: v.STATUS_BELOW_INTRINSIC,
      aboveMaximum: v.STATUS_ABOVE_MAXIMUM, notConverged: v.STATUS_NOT_CONVERGED,
      arbitrage: v.STATUS_ARBITRAGE, // [surface]
    });
  });

  // The AssemblyScript compiler runs in Node only.
  it.skipIf(typeof process === 'undefined' || !process.versions?.node)(
    'the AssemblyScript kernels have the spec\'s signatures (u32, i32 and usize told apart); a changed spec fails to compile',
    async () => {
      const { checkAssemblySignatures } = await import('../scripts/kernel-spec/assembly-signatures.mjs');
      const root = new URL('..', import.meta.url).pathname;
      expect(await checkAssemblySignatures(root)).toBe('');
      const changed = clone(spec);
      const philox = changed.kernels.find((k) => k.name === 'philoxUint32Batch')!;
      (philox.args.find((a) => a.name === 'seedLo') as { kind: string }).kind = 'i32';
      const text = renderAll(changed, constants).find((f) => f.path === 'assembly/kernel-signatures.ts')!.text;
      expect(await checkAssemblySignatures(root, text)).toMatch(/philoxUint32Batch/);
    },
    120_000,
  );
});
