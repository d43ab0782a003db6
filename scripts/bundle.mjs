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
// Third-party code bundled in (the CLI's argument parser, AssemblyScript's loader) keeps its
// licence: dist/THIRD-PARTY-LICENSES.md lists each package with its licence text.
// Usage: node scripts/bundle.mjs (after tsc -p tsconfig.build.json).
import * as esbuild from 'esbuild';
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

/** The loader plugin: rebases each module's `import.meta.url` uses to the output file it lands in. */
function rebaseImportMeta(outDirOf) {
  return {
    name: 'rebase-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(SRC)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
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

const options = (outDirOf) => ({
  entryPoints: ENTRIES,
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
  external: ['node:*', 'vega', 'vega-lite', 'highs', 'bullmq', 'ioredis'],
  sourcemap: 'linked',
  sourcesContent: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [rebaseImportMeta(outDirOf)],
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

const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const bytes = js.reduce((s, f) => s + result.metafile.outputs[f].bytes, 0);
console.log(`bundle: ${js.length} modules (${ENTRIES.length} entries), ${(bytes / 1024).toFixed(0)} KiB, third-party: ${[...packages.keys()].join(', ') || 'none'}`);
