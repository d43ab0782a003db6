// @ts-check
// Compiles assembly/kernel-signatures.ts alone, emitting nothing: every kernel assigned to the
// function type the spec gives it, so a signature that differs is a compile error.
import fs from 'node:fs';
import path from 'node:path';
import asc from 'assemblyscript/asc';

/**
 * @param {string} root the repository root
 * @param {string} [text] compile this instead of the committed file (a test shows the check can fail)
 * @returns {Promise<string>} the compiler's error output, empty when the signatures match
 */
export async function checkAssemblySignatures(root, text) {
  let stderr = '';
  const sink = { write: (/** @type {string | Uint8Array} */ s) => { stderr += typeof s === 'string' ? s : new TextDecoder().decode(s); return true; } };
  const { error } = await asc.main(
    ['assembly/kernel-signatures.ts', '--baseDir', root, '--noEmit', '--enable', 'simd', '--runtime', 'stub', '--config', 'none'],
    {
      stdout: sink,
      stderr: sink,
      ...(text === undefined ? {} : {
        readFile: (/** @type {string} */ name, /** @type {string} */ dir) => {
          const file = path.join(dir, name);
          if (file === path.join(root, 'assembly/kernel-signatures.ts')) return text;
          return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
        },
      }),
    },
  );
  return error ? `${error.message}\n${stderr}` : '';
}
