import { instantiateSync, type ASUtil } from '@assemblyscript/loader';
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
    // Node's fetch rejects file: URLs; the specifier is indirect so browser bundlers leave it alone.
    // process.getBuiltinModule (Node >= 20.16) skips the ESM loader's round trip, ~0.3 ms of a cold
    // first createEngine; import() is the fallback for other hosts with file: URLs.
    const fsName = 'node:fs/promises';
    type Fs = { readFile(u: URL): Promise<Uint8Array<ArrayBuffer>> };
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const fs = ((proc?.getBuiltinModule?.(fsName) as Fs | undefined) ?? (await import(/* @vite-ignore */ fsName))) as Fs;
    return WebAssembly.compile(await fs.readFile(url));
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
 * Instantiate the kernels (synchronously: the module is already compiled). Debug builds
 * (assertions on) import AssemblyScript's `abort`: they are instantiated by
 * `@assemblyscript/loader`, whose string decoder turns the abort's message and file name into a
 * KernelError, so a failed assertion names itself. Release builds import nothing, so the loader
 * would only wrap exports nobody calls (its `demangle` pass costs ~0.5 ms of the first
 * createEngine): they are instantiated directly. Either way the engine calls the raw instance
 * exports (no wrapper on the hot path).
 * @returns the raw exports of the instance.
 * @throws WebAssembly.LinkError / RuntimeError when the module does not instantiate.
 */
export function instantiateKernels(module: WebAssembly.Module): WebAssembly.Exports {
  if (WebAssembly.Module.imports(module).length === 0) return new WebAssembly.Instance(module).exports;
  let loaded: ASUtil | undefined;
  const text = (ptr: number): string => (ptr && loaded ? loaded.__getString(ptr) : '');
  const { instance, exports } = instantiateSync(module, {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        throw new KernelError(`abort: ${text(msg)} at ${text(file)}:${line}:${column}`, -1);
      },
    },
  });
  loaded = exports;
  return instance.exports;
}
