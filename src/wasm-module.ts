import { KernelError, WasmUnavailableError } from './errors.js';

/** Where the compiled kernels come from: a URL, bytes, or an already compiled module. */
export type WasmSource = URL | string | BufferSource | WebAssembly.Module;

/** The release build, shipped beside `dist/` (and `src/` during development). */
export function defaultWasmUrl(debug = false): URL {
  return debug
    ? new URL('../build/riskwasm.debug.wasm', import.meta.url)
    : new URL('../build/riskwasm.wasm', import.meta.url);
}

// Compiled modules are immutable, so engines may share them; instances (and memories) are never shared.
const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Compile (once per URL) the kernels module. Node reads `file:` URLs from disk; browsers stream. */
export function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  if (typeof WebAssembly === 'undefined') {
    return Promise.reject(new WasmUnavailableError('WebAssembly is not available in this environment'));
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    return WebAssembly.compile(source).catch((e: unknown) => {
      throw new WasmUnavailableError('could not compile the given WebAssembly bytes', e);
    });
  }
  const url = typeof source === 'string' ? new URL(source, defaultBase()) : source;
  const key = url.href;
  let pending = compiled.get(key);
  if (!pending) {
    pending = fetchAndCompile(url).catch((e: unknown) => {
      compiled.delete(key);
      throw e instanceof WasmUnavailableError ? e : new WasmUnavailableError(`could not load ${key}`, e);
    });
    compiled.set(key, pending);
  }
  return pending;
}

function defaultBase(): string {
  const loc = (globalThis as { location?: { href?: string } }).location;
  return loc?.href ?? import.meta.url;
}

async function fetchAndCompile(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    // Node's fetch rejects file: URLs; the specifiers are indirect so browser bundlers leave them alone.
    // One synchronous read (~0.1 ms for the 240 KiB release build, from the page cache) instead of
    // fs/promises' open, stat, read and close, each a round trip through libuv's thread pool: ~0.5 ms
    // of a cold first createEngine. process.getBuiltinModule (Node >= 20.16) skips the ESM loader;
    // import() of fs/promises is the fallback for other hosts with file: URLs.
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const fs = proc?.getBuiltinModule?.('node:fs') as { readFileSync(u: URL): Uint8Array<ArrayBuffer> } | undefined;
    if (fs) return WebAssembly.compile(fs.readFileSync(url));
    const fsName = 'node:fs/promises';
    const fsp = (await import(/* @vite-ignore */ fsName)) as { readFile(u: URL): Promise<Uint8Array<ArrayBuffer>> };
    return WebAssembly.compile(await fsp.readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new WasmUnavailableError(`could not fetch ${url.href}: HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch {
      // Servers that do not send application/wasm: fall through to a buffered compile.
    }
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Instantiate the kernels (synchronously: the module is already compiled). Release builds import
 * nothing. Debug builds (assertions on) import AssemblyScript's `abort`, which receives its message
 * and file name as pointers to AssemblyScript strings in the instance's memory: they are decoded
 * into a KernelError, so that a failed assertion names itself. (This used to go through
 * `@assemblyscript/loader`, whose 5 KiB and module-level TextDecoder every `import('riskwasm')`
 * paid for; only its string reader was used.) Either way the engine calls the raw instance exports.
 * @returns the raw exports of the instance.
 * @throws WebAssembly.LinkError / RuntimeError when the module does not instantiate.
 */
export function instantiateKernels(module: WebAssembly.Module): WebAssembly.Exports {
  if (WebAssembly.Module.imports(module).length === 0) return new WebAssembly.Instance(module).exports;
  let memory: WebAssembly.Memory | undefined;
  const text = (ptr: number): string => (ptr && memory ? readString(memory, ptr) : '');
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        throw new KernelError(`abort: ${text(msg)} at ${text(file)}:${line}:${column}`, -1);
      },
    },
  });
  memory = instance.exports.memory as WebAssembly.Memory;
  return instance.exports;
}

/**
 * An AssemblyScript string: UTF-16 code units at `ptr`, their byte length in the object header's
 * last word (ptr - 4), as the AssemblyScript runtime lays strings out.
 */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  const buffer = memory.buffer;
  const units = new Uint32Array(buffer)[(ptr - 4) >>> 2]! >>> 1;
  const chars = new Uint16Array(buffer, ptr, units);
  let out = '';
  for (let i = 0; i < units; i += 1024) out += String.fromCharCode(...chars.subarray(i, i + 1024));
  return out;
}
