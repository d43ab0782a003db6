// Bundles dist/: one ES module per entry point (plus shared chunks), so that `import('riskwasm')`
// reads a handful of files instead of ~100 and a browser page makes a handful of requests. tsc
// still emits the declarations (tsconfig.build.json: emitDeclarationOnly) beside them.
//
// Why esbuild: one dependency-free devDependency, ESM output with code splitting (entries that
// share code share chunks, so classes such as InputError and the shard-task registry exist once
// whichever entries a program imports), tree-shaken top-level output that consumers' bundlers
// tree-shake again (`sideEffects: false`), source maps with the sources inlined, and a build in
// well under a second. (Rolldown, already installed under Vite, would also do; its API is younger.)
//
// `import.meta.url` keeps its meaning: every module resolves its relative URLs as it did from its
// own file in the unbundled layout (dist/<path>.js). `new URL('<relative>', import.meta.url)` stays
// literal, its string rebased to the output file the code lands in, so that Vite and webpack still
// see (and copy) the .wasm and the worker script; any other `import.meta.url` becomes the URL its
// module would have had. Where each module lands is read from a first build's metafile (chunk
// assignment follows the import graph only, so the second build places every module the same way).
//
// Cold start (issue 13: `import('riskwasm')` + first createEngine <= 25 ms in Node). Measured with
// bench/startup.mjs, the import was ~80% V8 compiling ~1 MB of source and ~10% Node's loader
// handling 9 files; so:
// - minified (whitespace, syntax, identifiers): V8's compile time follows the bytes it scans.
//   esbuild's `keepNames` would give every function its name back with a call at load time
//   (+3.5 ms cold); only classes get theirs (classNames below: a static block per class), so that
//   errors print as `InputError: ...` and an engine inspects as `Engine {...}`. Function names in
//   stack traces come back from the source maps (`node --enable-source-maps`, browser devtools).
// - the root entry loads three files: dist/index.js, one chunk with the core and a small one it
//   shares with riskwasm/charts.
//   esbuild splits by "which entries use this code", so code the root shares with another entry
//   would otherwise sit in its own chunk per combination (9 files). Every other entry (and every
//   dynamically imported src module) is therefore wrapped so that it also uses all of the root's
//   exports (withRoot): the root's code is then used by every entry and lands in one chunk. The
//   wrappers' keep-alive statements are blanked out of the output afterwards (same length, so the
//   source maps stay exact). riskwasm/charts is not wrapped (UNWRAPPED), so the root also loads the
//   small chunk it shares with the charts: 3 files. The cost: riskwasm/distributed and /internals
//   alone also load the core chunk (the first needs an engine anyway), and an app bundler that
//   takes only some of the root's exports keeps the core chunk's top-level statements (shard task
//   registrations, tables) unless it takes only what the charts chunk holds (the error classes,
//   VolSurface): see bench/startup.mjs --tree-shaking for the sizes.
//
// Where the cold import goes now (session 9, Node 20, this VM at full speed, ~20 ms): V8 compiling
// the core chunk, ~14.5 ms for its ~570 KiB (top-level code fully, every function body pre-parsed;
// the cost follows the bytes, spread evenly over the modules: no construct stands out, and oxc's
// minifier saves only 1% more than esbuild's); evaluating it, ~1.5 ms (was ~3: the grid presets
// and the twin's POW2 table are no longer built at import); Node's loader and one scavenge, the
// rest. The lever left is fewer bytes in the root's static graph: the JS twin's own kernels
// (~48 KiB, ~1 ms) cannot leave it while `createEngineSync(null)` must return a JS engine
// synchronously.
//
// Session 10 (issue 13 [cold]), measured by instruction counts, which a shared machine does not
// disturb (callgrind over `node --predictable --hash-seed=1 --random-seed=1 --v8-pool-size=0`, V8
// made deterministic: the same build gives the same count to 0.01%; `node bench/startup.mjs
// --instructions`): the import is ~110 M instructions (~20 ms at full speed), ~78% of them V8's
// scanner and pre-parser, ~4% bytecode generation, ~4% running the top level; so bytes of code are
// the cost (strings are cheap: blanking 54 KiB of string literals saves ~2% of the compile). What
// moved (117.3 -> 110.5 M instructions, 586 -> 549 KiB):
// - code that only asynchronous calls use is loaded by those calls (`[cold]` in src/engine.ts and
//   src/parallel/pool.ts): hedge calibration and simulation, revaluePortfolio's workers path, the
//   worker host; the engine keeps each loaded module, so only a first call reads its arguments
//   after an await. test/integration/bundle.test.ts checks they stay out of the static graph.
// - a barrel re-export is enough to pin a module in the core chunk: esbuild places a module by the
//   entries that reach it through imports, used or not, so a module that some other entry (here, a
//   dynamic import) uses lands in the core if the root reaches it through a barrel that re-exports
//   it. The root therefore takes its hedging names from the defining modules, not hedging/index.ts.
//   (Measured after this: the core holds only ~4 KiB more than a build of the root alone.)
// - class names come back with a top-level statement after each class instead of a static block,
//   which V8 compiled and ran as a function of its own (classNames below).
// Tried and dropped: the exp/log tables of the JS twin as base64 strings (the decoding loop at load
// costs more than the number scanning it saves); one file instead of three (no measurable change).
// Left: the worker pool's run machinery and runShards' internals (~6 KiB, ~1% of the import) sit
// behind public synchronous exports (WorkerPool, createWorkerPool, allocateOutput, sharedPools) and
// would need those classes split; the margin shard code stays while the root re-exports
// portfolioMarginShard & co. (deprecated, removed in the next release).
//
// Third-party code bundled in (the CLI's argument parser) keeps its licence:
// dist/THIRD-PARTY-LICENSES.md lists each package with its licence text.
// Usage: node scripts/bundle.mjs [--no-minify] (after tsc -p tsconfig.build.json); --no-minify
// writes readable output for debugging (not for release: slower cold start).
import * as esbuild from 'esbuild';
import ts from 'typescript';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/**
 * Entry points: the package's exports, the CLI, the worker script that parallel/ spawns, and
 * parallel/index.js, which the repository's benchmarks and test fixtures import for pool internals
 * (monteCarloParallel) that the root entry does not export.
 */
const ENTRIES = ['index.ts', 'charts/index.ts', 'cli/main.ts', 'parallel/worker-entry.ts', 'parallel/index.ts', 'internals.ts', 'distributed/index.ts' /* [scale] */]
  .map((f) => join(SRC, f))
  .filter((f) => existsSync(f));

const toPosix = (p) => p.split('\\').join('/');
/** dist/<path>.js: where a source module lived before bundling. */
const unbundledPath = (srcFile) => join(DIST, relative(SRC, srcFile)).replace(/\.ts$/, '.js');

function relativeUrl(fromDir, target, keepTrailingSlash) {
  let rel = toPosix(relative(fromDir, target));
  if (!rel.startsWith('.')) rel = rel === '' ? '.' : `./${rel}`;
  if (keepTrailingSlash && !rel.endsWith('/')) rel += '/';
  return rel;
}

const LITERAL_URL = /new URL\(\s*(['"])(\.\.?\/[^'"]*)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Gives each top-level class its name back after identifier minification: one
 * `Object.defineProperty(C, 'name', ...)` statement right after the class's closing brace, on the
 * same line (so no line of the source map moves). Top-level code, compiled with the module at no
 * extra cost; a `static { ... }` block in the class (session 9) did the same but is a function of
 * its own that V8 compiles and calls at load, ~40k instructions a class (26 in the core chunk).
 * Every class in src/ is declared at the top level of its module (a nested one only loses its name).
 */
function classNames(text, path) {
  if (!/^(?:export\s+)?(?:abstract\s+)?class\s/m.test(text)) return text;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  let out = text;
  const ends = sf.statements
    .filter((st) => ts.isClassDeclaration(st) && st.name !== undefined && !ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))
    .map((st) => [st.end, st.name.text]);
  for (const [end, name] of ends.reverse()) {
    out = `${out.slice(0, end)} Object.defineProperty(${name}, 'name', { value: ${JSON.stringify(name)}, configurable: true });${out.slice(end)}`;
  }
  return out;
}

/**
 * The loader plugin: rebases each module's `import.meta.url` uses to the output file it lands in,
 * and (when minifying) keeps class names.
 */
function loadSource(outDirOf, keepClassNames) {
  return {
    name: 'load-source',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(SRC)) return undefined;
        const original = readFileSync(args.path, 'utf8');
        const text = keepClassNames ? classNames(original, args.path) : original;
        if (!text.includes('import.meta.url')) return text === original ? undefined : { contents: text, loader: 'ts' };
        // First build: placement unknown, any directory does (the text only needs to parse).
        const outDir = outDirOf?.get(args.path) ?? DIST;
        const was = dirname(unbundledPath(args.path));
        const KEEP = '\u0000import-meta-url\u0000';
        const contents = text
          .replace(LITERAL_URL, (_m, q, rel) => `new URL(${q}${relativeUrl(outDir, resolve(was, rel), rel.endsWith('/'))}${q}, ${KEEP})`)
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(relativeUrl(outDir, unbundledPath(args.path), false))}, import.meta.url).href`)
          .replaceAll(KEEP, 'import.meta.url');
        return { contents, loader: 'ts' };
      });
    },
  };
}

const ROOT_ENTRY = join(SRC, 'index.ts');
const WRAPPED = 'riskwasm-with-root';
const KEEP_ALIVE = 'import.meta.riskwasmKeepRoot';

/**
 * Entry points and dynamically imported src modules, wrapped so that they also use every export of
 * the root entry (see the file comment): `export * from '<module>'` plus one statement naming the
 * root's exports, which esbuild cannot drop (`import.meta.riskwasmKeepRoot` is never defined, so
 * it does nothing either) and which is blanked out of the output after the build.
 */
function withRoot(rootNames) {
  return {
    name: 'with-root',
    setup(build) {
      // Paths in this namespace are relative to src/ (they appear in the source maps' `sources`).
      build.onResolve({ filter: new RegExp(`^${WRAPPED}:`) }, (args) => ({ path: toPosix(relative(SRC, args.path.slice(WRAPPED.length + 1))), namespace: WRAPPED }));
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.kind !== 'dynamic-import' || !args.importer.startsWith(SRC)) return undefined;
        const r = await build.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
        if (r.errors.length > 0 || !r.path.startsWith(SRC)) return undefined;
        return { path: toPosix(relative(SRC, r.path)), namespace: WRAPPED, pluginData: { dynamic: true } };
      });
      // The wrapped module itself, marked as having side effects: with the package's
      // `sideEffects: false`, esbuild would otherwise drop the top level of a module whose exports
      // nobody uses (the worker script's message loop, its task registrations). Only for entry
      // points: a dynamically imported module is imported for its exports, which its importer
      // uses, so it needs no mark (and the mark is the module's, whoever else imports it).
      build.onResolve({ filter: new RegExp(`^${WRAPPED}-module:`) }, (args) => ({ path: join(SRC, args.path.slice(WRAPPED.length + 8)), sideEffects: true }));
      build.onLoad({ filter: /.*/, namespace: WRAPPED }, (args) => {
        const dir = dirname(join(SRC, args.path));
        const spec = (f) => JSON.stringify(relativeUrl(dir, f, false));
        return {
          contents: `export * from ${args.pluginData?.dynamic ? spec(join(SRC, args.path)) : JSON.stringify(`${WRAPPED}-module:${args.path}`)};\n` +
            `import { ${rootNames.join(', ')} } from ${spec(ROOT_ENTRY)};\n` +
            `${KEEP_ALIVE}?.(${rootNames.join(', ')});\n`,
          resolveDir: dir,
          loader: 'js',
        };
      });
    },
  };
}

const MINIFY = !process.argv.includes('--no-minify');
/**
 * Entries left unwrapped: riskwasm/charts builds chart specs from plain results and needs only the
 * errors and a few helpers, which stay in a small chunk of their own, so that an app bundling
 * only the charts (or only the error classes, VolSurface) still gets a few KiB, not the core.
 */
const UNWRAPPED = ['charts/index.ts'].map((f) => join(SRC, f));
const EXTERNAL = ['node:*', 'vega', 'vega-lite', 'highs', 'bullmq', 'ioredis'];

/** The root entry's export names (a quick unsplit build of it alone). */
const rootOnly = await esbuild.build({
  entryPoints: [ROOT_ENTRY], outdir: DIST, bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'],
  external: EXTERNAL, write: false, metafile: true, logLevel: 'warning',
});
const rootNames = Object.values(rootOnly.metafile.outputs).find((o) => o.entryPoint !== undefined).exports.filter((n) => n !== 'default');

const options = (outDirOf) => ({
  entryPoints: ENTRIES.map((f) => (f === ROOT_ENTRY || UNWRAPPED.includes(f) ? f : { in: `${WRAPPED}:${f}`, out: relative(SRC, f).replace(/\.ts$/, '') })),
  outdir: DIST,
  outbase: SRC,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  mainFields: ['module', 'main'],
  // Node built-ins (the CLI's; the library reaches them through non-literal specifiers) and the
  // optional chart renderer stay imports.
  // [hedging] highs: the optional LP solver peer (src/hedging/hedge-lp.ts); [scale] bullmq, ioredis: riskwasm/distributed's optional peers.
  external: EXTERNAL,
  minify: MINIFY,
  sourcemap: 'linked',
  sourcesContent: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [loadSource(outDirOf, MINIFY), withRoot(rootNames)],
});

// Pass 1: where does each source module land?
const first = await esbuild.build({ ...options(undefined), write: false });
const outDirOf = new Map();
for (const [out, meta] of Object.entries(first.metafile.outputs)) {
  if (!out.endsWith('.js')) continue;
  for (const input of Object.keys(meta.inputs)) outDirOf.set(resolve(ROOT, input), dirname(resolve(ROOT, out)));
}
// Pass 2: the same graph with every module's URLs rebased to its output file.
const result = await esbuild.build(options(outDirOf));
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (!out.endsWith('.js')) continue;
  for (const input of Object.keys(meta.inputs)) {
    if (outDirOf.get(resolve(ROOT, input)) !== dirname(resolve(ROOT, out))) {
      throw new Error(`bundle: ${input} moved from ${outDirOf.get(resolve(ROOT, input))} to ${dirname(out)} between passes`);
    }
  }
}
// Blank the wrappers' keep-alive statements (same length: the source maps stay exact). Each
// wrapper's statement lands in its entry file or in its dynamic-import chunk.
const KEEP_ALIVE_CALL = /import\.meta\.riskwasmKeepRoot\?\.\([\w$,\s]*\);?/g;
let blanked = 0;
for (const out of Object.keys(result.metafile.outputs)) {
  if (!out.endsWith('.js')) continue;
  const file = resolve(ROOT, out);
  const text = readFileSync(file, 'utf8');
  const stripped = text.replace(KEEP_ALIVE_CALL, (m) => ' '.repeat(m.length));
  if (stripped !== text) {
    blanked += (text.match(KEEP_ALIVE_CALL) ?? []).length;
    writeFileSync(file, stripped);
  }
  if (stripped.includes('riskwasmKeepRoot')) throw new Error(`bundle: a keep-alive statement in ${out} was not blanked`);
}
const wrappers = Object.keys(result.metafile.inputs).filter((i) => i.startsWith(`${WRAPPED}:`)).length;
if (blanked !== wrappers) throw new Error(`bundle: blanked ${blanked} keep-alive statements for ${wrappers} wrapped modules`);

// The root entry's static imports: the core chunk and the one shared with the charts (see the file comment).
const rootOut = result.metafile.outputs['dist/index.js'];
const rootChunks = rootOut.imports.filter((i) => i.kind === 'import-statement' && !i.external);
if (rootChunks.length > 2) throw new Error(`bundle: dist/index.js imports ${rootChunks.length} chunks (expected 2, the core and the one shared with the charts: ${rootChunks.map((i) => i.path).join(', ')})`);

chmodSync(join(DIST, 'cli/main.js'), 0o755);

// Licences of the bundled third-party packages.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(toPosix(input));
  if (m) packages.set(m[2], resolve(ROOT, m[1]));
}
let notices = '# Third-party code bundled in dist/\n';
for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  notices += `\n## ${name} ${pkg.version} (${pkg.license})\n\n`;
  notices += licenceFile ? '```\n' + readFileSync(join(dir, licenceFile), 'utf8').trim() + '\n```\n' : `${pkg.homepage ?? pkg.repository?.url ?? ''}\n`;
}
writeFileSync(join(DIST, 'THIRD-PARTY-LICENSES.md'), notices);

// --metafile <file>: esbuild's metafile of the final build (bytesInOutput per source module and chunk).
const metaArg = process.argv.indexOf('--metafile');
if (metaArg > 0) writeFileSync(resolve(process.argv[metaArg + 1]), JSON.stringify(result.metafile));

const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const bytes = js.reduce((s, f) => s + result.metafile.outputs[f].bytes, 0);
const rootBytes = rootChunks.reduce((t, i) => t + result.metafile.outputs[i.path].bytes, rootOut.bytes);
console.log(`bundle: ${js.length} modules (${ENTRIES.length} entries), ${(bytes / 1024).toFixed(0)} KiB${MINIFY ? ' minified' : ''}; the root entry loads ${1 + rootChunks.length} (${(rootBytes / 1024).toFixed(0)} KiB); third-party: ${[...packages.keys()].join(', ') || 'none'}`);
