// @ts-check
// The kernel spec (spec/kernels.json, spec/constants.json) checked and rendered into the
// declarations of both twins. Pure functions of the spec, no file system: the generator
// (generate.mjs) writes what they return, and test/kernel-spec.test.ts compares it with the
// committed files in Node and in the browser.
import { parseLength } from './length.mjs';

/**
 * @typedef {{ rule: 'identical', source: string }
 *   | { rule: 'ulps', ulps: number, source: string }
 *   | { rule: 'relative', tolerance: number, scale: 'element' | 'column', floor?: number, source: string }} Agreement
 * @typedef {{ name: string, kind: 'count' | 'i32' | 'u32' | 'f64' }} ScalarArg
 * @typedef {{ name: string, kind: 'in' | 'out' | 'inout' | 'scratch', type: 'f64' | 'i32' | 'u32' | 'u8' | 'i8',
 *   length: string, optional?: boolean, agree?: Agreement }} PointerArg
 * @typedef {ScalarArg | PointerArg} Arg
 * @typedef {{ name: string, area: string, source: string, doc: string, returns: 'status' | 'f64' | 'i32',
 *   args: Arg[], agree: Agreement }} KernelSpec
 * @typedef {{ kernels: KernelSpec[], diagnostics: { name: string, source: string, doc: string }[] }} KernelsFile
 * @typedef {{ name: string, type: 'i32' | 'u8' | 'f64', value: number, doc?: string }} ConstantSpec
 * @typedef {{ name: string, assembly: string, typescript: string, items: (string | null | ConstantSpec)[] }} ConstantsGroup
 * @typedef {{ files: ConstantsGroup[] }} ConstantsFile
 */

/** Areas in contract order, with the name of the TypeScript interface each becomes. */
export const AREAS = {
  diagnostics: 'DiagnosticKernels',
  math: 'MathKernels',
  pricing: 'PricingKernels',
  random: 'RandomKernels',
  montecarlo: 'MonteCarloKernels',
  calibration: 'CalibrationKernels',
  risk: 'RiskKernels',
  margin: 'MarginKernels',
  surface: 'SurfaceKernels', // [surface]
  hedging: 'HedgingKernels', // [hedging] simulate
};

export const SCALAR_KINDS = ['count', 'i32', 'u32', 'f64'];
export const POINTER_KINDS = ['in', 'out', 'inout', 'scratch'];
export const POINTER_TYPES = ['f64', 'i32', 'u32', 'u8', 'i8'];
const RETURNS = ['status', 'f64', 'i32'];
const CONSTANT_TYPES = ['i32', 'u8', 'f64'];

/** @param {Arg} a @returns {a is PointerArg} */
export const isPointer = (a) => POINTER_KINDS.includes(a.kind);

/** The WebAssembly value type of an argument or return (pointers are wasm32 addresses). */
export function wasmType(/** @type {string} */ kind) {
  return kind === 'f64' ? 'f64' : 'i32';
}

/** Every constant of constants.json by name. */
export function constantValues(/** @type {ConstantsFile} */ constants) {
  /** @type {Record<string, number>} */
  const values = {};
  for (const g of constants.files) for (const it of g.items) if (it && typeof it === 'object') values[it.name] = it.value;
  return values;
}

/**
 * Everything wrong with the spec, one sentence each (empty when it is sound): unknown kinds,
 * duplicate names, length expressions that do not parse or read a name that is neither an
 * integer argument of the kernel nor a constant, agreement rules without their numbers.
 * @param {KernelsFile} spec
 * @param {ConstantsFile} constants
 * @returns {string[]}
 */
export function checkSpec(spec, constants) {
  const problems = [];
  const values = constantValues(constants);
  const seen = new Set();
  for (const g of constants.files) {
    for (const it of g.items) {
      if (it === null || typeof it === 'string') continue;
      if (seen.has(it.name)) problems.push(`constant ${it.name} is defined twice`);
      seen.add(it.name);
      if (!CONSTANT_TYPES.includes(it.type)) problems.push(`constant ${it.name}: type ${it.type} is not one of ${CONSTANT_TYPES}`);
      if (typeof it.value !== 'number' || !Number.isFinite(it.value)) problems.push(`constant ${it.name}: value ${it.value} is not a finite number`);
      else if (it.type !== 'f64' && !Number.isInteger(it.value)) problems.push(`constant ${it.name}: ${it.type} value ${it.value} is not an integer`);
      else if (it.type === 'u8' && (it.value < 0 || it.value > 255)) problems.push(`constant ${it.name}: u8 value ${it.value} is out of range`);
    }
  }
  const kernelNames = new Set();
  for (const k of spec.kernels) {
    const at = `kernel ${k.name}`;
    if (kernelNames.has(k.name)) problems.push(`${at} is defined twice`);
    kernelNames.add(k.name);
    if (!(k.area in AREAS)) problems.push(`${at}: area ${k.area} is not one of ${Object.keys(AREAS)}`);
    if (!RETURNS.includes(k.returns)) problems.push(`${at}: returns ${k.returns} is not one of ${RETURNS}`);
    if (typeof k.source !== 'string' || !/^[\w-]+(\/[\w-]+)*$/.test(k.source)) problems.push(`${at}: source ${k.source} is not a module path under assembly/`);
    if (typeof k.doc !== 'string' || !k.doc) problems.push(`${at}: no doc`);
    problems.push(...checkAgreement(k.agree, at));
    /** @type {Set<string>} names a length may read: the integer arguments */
    const integers = new Set(k.args.filter((a) => a.kind === 'count' || a.kind === 'i32' || a.kind === 'u32').map((a) => a.name));
    const argNames = new Set();
    for (const a of k.args) {
      const where = `${at}, argument ${a.name}`;
      if (argNames.has(a.name)) problems.push(`${where} is named twice`);
      argNames.add(a.name);
      if (isPointer(a)) {
        if (!POINTER_TYPES.includes(a.type)) problems.push(`${where}: type ${a.type} is not one of ${POINTER_TYPES}`);
        try {
          for (const n of parseLength(a.length).names) {
            if (!integers.has(n) && !(n in values)) problems.push(`${where}: length ${a.length} reads ${n}, neither an integer argument nor a constant`);
          }
        } catch (e) {
          problems.push(`${where}: ${e instanceof Error ? e.message : e}`);
        }
        if (a.agree) {
          if (a.kind !== 'out' && a.kind !== 'inout') problems.push(`${where}: an agreement rule on a pointer that is not written`);
          problems.push(...checkAgreement(a.agree, where));
        }
      } else if (!SCALAR_KINDS.includes(a.kind)) {
        problems.push(`${where}: kind ${a.kind} is not one of ${[...SCALAR_KINDS, ...POINTER_KINDS]}`);
      }
    }
  }
  for (const d of spec.diagnostics) if (kernelNames.has(d.name)) problems.push(`diagnostic export ${d.name} is also a kernel`);
  return problems;
}

/** @param {Agreement} r @param {string} at */
function checkAgreement(r, at) {
  if (!r || typeof r.source !== 'string' || !r.source) return [`${at}: an agreement rule needs its source (the test that states it)`];
  if (r.rule === 'identical') return [];
  if (r.rule === 'ulps') return Number.isInteger(r.ulps) && r.ulps > 0 ? [] : [`${at}: ulps rule without a positive integer ulps`];
  if (r.rule === 'relative') {
    const ok = r.tolerance > 0 && r.tolerance < 1 && (r.scale === 'element' || r.scale === 'column') && (r.floor === undefined || r.floor >= 0);
    return ok ? [] : [`${at}: relative rule needs 0 < tolerance < 1, scale element or column, floor >= 0`];
  }
  return [`${at}: rule ${/** @type {{ rule: string }} */ (r).rule} is not identical, ulps or relative`];
}

const HEADER = (/** @type {string} */ from) => `// Generated from ${from} by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.`;

const AS_ARG = { count: 'i32', i32: 'i32', u32: 'u32', f64: 'f64' };
const AS_RETURN = { status: 'i32', i32: 'i32', f64: 'f64' };

/** Wrap `text` into lines of at most `width` characters, each starting with `prefix`. */
function wrap(/** @type {string} */ text, /** @type {string} */ prefix, width = 120) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(prefix + line);
  return lines;
}

/** Lines of `items`, each at most `width`, joined by ', ' and indented by `indent`. */
function list(/** @type {string[]} */ items, /** @type {string} */ indent, width = 120) {
  const lines = [];
  let line = '';
  for (const it of items) {
    const piece = `${it},`;
    if (line && indent.length + line.length + 1 + piece.length > width) {
      lines.push(indent + line);
      line = piece;
    } else {
      line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The one-line description of a pointer argument, for the TSDoc. */
function pointerDoc(/** @type {PointerArg} */ a) {
  const what = { in: 'read', out: 'written', inout: 'read and written', scratch: 'scratch' }[a.kind];
  return `${a.type} [${a.length}], ${what}${a.optional ? ' (or 0)' : ''}`;
}

/** The constants files of one group, AssemblyScript and TypeScript. */
function renderConstants(/** @type {ConstantsGroup} */ g) {
  const as = [HEADER('spec/constants.json')];
  const ts = [HEADER('spec/constants.json')];
  for (const it of g.items) {
    if (it === null) {
      as.push('');
      ts.push('');
    } else if (typeof it === 'string') {
      const line = it ? `// ${it}` : '//';
      as.push(line);
      ts.push(line);
    } else {
      const doc = it.doc === undefined ? [] : it.doc.includes('\n') ? ['/**', ...it.doc.split('\n').map((l) => ` * ${l}`), ' */'] : [`/** ${it.doc} */`];
      as.push(...doc, `export const ${it.name}: ${it.type} = ${it.value};`);
      ts.push(...doc, `export const ${it.name} = ${it.value};`);
    }
  }
  return [
    { path: g.assembly, text: `${as.join('\n')}\n` },
    { path: g.typescript, text: `${ts.join('\n')}\n` },
  ];
}

/** TypeScript declarations of the contract: one interface per area, `Kernels`, `KERNEL_NAMES`. */
function renderTypeScript(/** @type {KernelsFile} */ spec) {
  const out = [
    HEADER('spec/kernels.json'),
    '//',
    '// The kernel contract, one interface per area. Pointers are byte offsets into the engine heap (see',
    '// contract.ts); lengths are in elements of the pointer\'s type.',
  ];
  for (const [area, iface] of Object.entries(AREAS)) {
    const ks = spec.kernels.filter((k) => k.area === area);
    out.push('', `/** The ${area} kernels. */`, `export interface ${iface} {`);
    ks.forEach((k, i) => {
      if (i) out.push('');
      const params = k.args.filter(isPointer).map((a) => `@param ${a.name} ${pointerDoc(a)}`);
      const doc = wrap(k.doc, '   * ', 118);
      if (params.length === 0 && doc.length === 1 && doc[0].length + 4 <= 120) out.push(`  /** ${k.doc} */`);
      else out.push('  /**', ...doc, ...params.map((p) => `   * ${p}`), '   */');
      const sig = `  ${k.name}(${k.args.map((a) => `${a.name}: number`).join(', ')}): number;`;
      if (sig.length <= 120) out.push(sig);
      else out.push(`  ${k.name}(`, ...list(k.args.map((a) => `${a.name}: number`), '    '), '  ): number;');
    });
    out.push('}');
  }
  out.push(
    '',
    '/** Every kernel: what both twins implement. */',
    'export interface Kernels extends',
    ...list(Object.values(AREAS), '  ').map((l, i, all) => (i === all.length - 1 ? `${l.slice(0, -1)} {}` : l)),
    '',
    '/** Names of every kernel in the contract, checked against both backends at engine creation. */',
    'export const KERNEL_NAMES = [',
    ...list(spec.kernels.map((k) => `'${k.name}'`), '  '),
    '] as const satisfies readonly (keyof Kernels)[];',
  );
  return { path: 'src/kernels/kernel-signatures.ts', text: `${out.join('\n')}\n` };
}

/** `export { a, b } from "./x";` lines, one per source module in first-appearance order. */
function exportLines(/** @type {{ name: string, source: string }[]} */ entries) {
  /** @type {Map<string, string[]>} */
  const bySource = new Map();
  for (const e of entries) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e.name]);
  const lines = [];
  for (const [source, names] of bySource) {
    const one = `export { ${names.join(', ')} } from "./${source}";`;
    if (one.length <= 120) lines.push(one);
    else lines.push('export {', ...list(names, '  '), `} from "./${source}";`);
  }
  return lines;
}

/**
 * assembly/kernel-exports.ts: every kernel of the spec and the diagnostic exports, re-exported from
 * the file that implements each (assembly/index.ts re-exports it whole and defines those whose
 * source is "index" itself).
 */
function renderAssemblyExports(/** @type {KernelsFile} */ spec) {
  const out = [
    HEADER('spec/kernels.json'),
    '//',
    '// The kernels of the spec, re-exported from the file that implements each; assembly/index.ts',
    '// exports this module whole. The pure-JS twin (src/kernels/index.ts) implements the same names and',
    '// argument lists, declared in src/kernels/kernel-signatures.ts.',
    ...exportLines(spec.kernels.filter((k) => k.source !== 'index')),
    '',
    '// Outside the kernel contract:',
    ...spec.diagnostics.filter((d) => d.source !== 'index').flatMap((d) => [...wrap(d.doc, '// '), ...exportLines([d])]),
  ];
  return { path: 'assembly/kernel-exports.ts', text: `${out.join('\n')}\n` };
}

/**
 * assembly/kernel-signatures.ts: every kernel assigned to a function type built from the spec, so
 * `asc assembly/kernel-signatures.ts --noEmit` fails when an AssemblyScript signature differs
 * from the spec (u32 versus i32 versus usize included, which the .wasm itself does not keep).
 */
function renderAssemblySignatures(/** @type {KernelsFile} */ spec) {
  /** @type {Map<string, string[]>} */
  const bySource = new Map();
  for (const k of spec.kernels) bySource.set(k.source, [...(bySource.get(k.source) ?? []), k.name]);
  const imports = [...bySource].flatMap(([source, names]) => {
    const one = `import { ${names.join(', ')} } from "./${source}";`;
    return one.length <= 120 ? [one] : ['import {', ...list(names, '  '), `} from "./${source}";`];
  });
  const body = spec.kernels.flatMap((k) => {
    const type = `(${k.args.map((a) => `${a.name}: ${isPointer(a) ? 'usize' : AS_ARG[a.kind]}`).join(', ')}) => ${AS_RETURN[k.returns]}`;
    const one = `  const ${k.name}Signature: ${type} = ${k.name};`;
    const lines = one.length <= 120 ? [one] : [`  const ${k.name}Signature: (`, ...list(k.args.map((a) => `${a.name}: ${isPointer(a) ? 'usize' : AS_ARG[a.kind]}`), '    '), `  ) => ${AS_RETURN[k.returns]} = ${k.name};`];
    return [...lines, `  use(${k.name}Signature);`];
  });
  const out = [
    HEADER('spec/kernels.json'),
    '//',
    '// Not part of the build: compiled alone with --noEmit (npm run gen:kernels, test/kernel-spec.test.ts),',
    '// so a kernel whose AssemblyScript signature differs from the spec is a compile error here.',
    ...imports,
    '',
    '// @ts-ignore: decorator',
    '@inline function use<T>(f: T): void {}',
    '',
    'export function checkKernelSignatures(): void {',
    ...body,
    '}',
  ];
  return { path: 'assembly/kernel-signatures.ts', text: `${out.join('\n')}\n` };
}

/**
 * Every generated file, path relative to the repository root and full text.
 * @param {KernelsFile} spec
 * @param {ConstantsFile} constants
 * @returns {{ path: string, text: string }[]}
 * @throws Error listing the spec's problems (checkSpec) when there are any
 */
export function renderAll(spec, constants) {
  const problems = checkSpec(spec, constants);
  if (problems.length) throw new Error(`the kernel spec has problems:\n${problems.join('\n')}`);
  return [
    ...constants.files.flatMap(renderConstants),
    renderTypeScript(spec),
    renderAssemblyExports(spec),
    renderAssemblySignatures(spec),
  ];
}
