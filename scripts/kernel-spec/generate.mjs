// @ts-check
// Writes the declarations of both twins from spec/kernels.json and spec/constants.json (see
// render.mjs for the list), then compiles assembly/kernel-signatures.ts with --noEmit so an
// AssemblyScript kernel whose signature differs from the spec fails here.
//   node scripts/kernel-spec/generate.mjs          write, then check the signatures
//   node scripts/kernel-spec/generate.mjs --check  write nothing; exit 1 if a file is stale
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './render.mjs';
import { checkAssemblySignatures } from './assembly-signatures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (/** @type {string} */ p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));
const files = renderAll(readJson('spec/kernels.json'), readJson('spec/constants.json'));
const check = process.argv.includes('--check');
let stale = 0;
for (const f of files) {
  const target = path.join(root, f.path);
  const now = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (now === f.text) continue;
  stale++;
  if (check) console.error(`stale: ${f.path}`);
  else {
    fs.writeFileSync(target, f.text);
    console.log(`wrote ${f.path}`);
  }
}
if (check && stale) {
  console.error('run npm run gen:kernels');
  process.exit(1);
}
const errors = await checkAssemblySignatures(root);
if (errors) {
  console.error(errors);
  process.exit(1);
}
console.log(`${files.length} files from the spec, ${stale} rewritten; AssemblyScript signatures match the spec`);
