// Issue 11, shape fuzz: createEngine / createEngineSync took any option key (a misspelled
// `chunksize` silently fell back to the default) and any `debug` / `wasm` value (a `wasm: 42`
// with backend 'auto' silently gave the JS twin); countStatus() threw a TypeError and looped over
// `{ length: 1e10 }`; `new MemoryArena()` threw a TypeError. Each is now an InputError naming the
// argument.
import { describe, it, expect } from 'vitest';
import { BACKENDS, expectInputError } from './backends.js';
import { countStatus, createEngine, createEngineSync, InputError, MemoryArena, Status, statusName } from '../src/index.js';

/** Awaits `p`, expects it to reject with an InputError naming `path`, and returns the error. */
async function expectRejectedInput(p: Promise<unknown>, path: string): Promise<InputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  expect((e as InputError).path).toBe(path);
  expect((e as InputError).code).toBe('INPUT');
  return e as InputError;
}

describe.each(BACKENDS)('createEngine options (%s)', (backend) => {
  it('an unknown option key is an InputError naming it, with the closest key', async () => {
    expect((await expectRejectedInput(createEngine({ backend, chunksize: 8 } as never), 'options.chunksize')).suggestion).toBe('chunkSize');
    expect((await expectRejectedInput(createEngine({ backnd: backend } as never), 'options.backnd')).suggestion).toBe('backend');
  });

  it('malformed option values are InputErrors: options, debug, wasm, chunkSize', async () => {
    await expectRejectedInput(createEngine(null as never), 'options');
    await expectRejectedInput(createEngine([] as never), 'options');
    await expectRejectedInput(createEngine({ backend, debug: 'yes' } as never), 'options.debug');
    await expectRejectedInput(createEngine({ backend, wasm: 42 } as never), 'options.wasm');
    await expectRejectedInput(createEngine({ backend, chunkSize: '8' } as never), 'options.chunkSize');
  });

  it('valid options still give an engine of that backend and chunk size', async () => {
    const e = await createEngine({ backend, chunkSize: 8, debug: false });
    expect(e.backend).toBe(backend);
    expect(e.chunkSize).toBe(8);
  });
});

describe('createEngine with backend auto and createEngineSync', () => {
  it("a malformed wasm source with backend 'auto' is an InputError, not a silent fallback to JS", async () => {
    await expectRejectedInput(createEngine({ backend: 'auto', wasm: { href: 'x' } } as never), 'options.wasm');
  });

  it('createEngineSync takes only debug and chunkSize', () => {
    expectInputError(() => createEngineSync(null, { backend: 'js' } as never), 'options.backend');
    expect(expectInputError(() => createEngineSync(null, { chunksize: 8 } as never), 'options.chunksize').suggestion).toBe('chunkSize');
    expectInputError(() => createEngineSync(null, { debug: 1 } as never), 'options.debug');
    expectInputError(() => createEngineSync(null, null as never), 'options');
    expect(createEngineSync(null, { chunkSize: 8 }).chunkSize).toBe(8);
  });
});

describe('statusName and countStatus', () => {
  it('a non-number code or a malformed status column is an InputError (no loop over length 1e10)', () => {
    expectInputError(() => statusName('0' as never), 'code');
    expectInputError(() => statusName(undefined as never), 'code');
    expectInputError(() => countStatus(undefined as never), 'status');
    expectInputError(() => countStatus({ length: 1e10 } as never), 'status.length');
    expectInputError(() => countStatus({ length: -1 } as never), 'status.length');
    expectInputError(() => countStatus([0, 'x'] as never), 'status[1]');
  });

  it('valid calls are unchanged; a plain array of codes counts like a Uint8Array', () => {
    expect(statusName(Status.notConverged)).toBe('notConverged');
    expect(statusName(250)).toBe('unknown');
    expect(countStatus([0, 0, 1, 250] as never)).toEqual(countStatus(Uint8Array.of(0, 0, 1, 250)));
    expect(countStatus(Uint8Array.of(0, 0, 1, 250))).toEqual({ ok: 2, invalidInput: 1, unknown: 1 });
  });
});

describe('new MemoryArena', () => {
  const backing = () => ({ buffer: new ArrayBuffer(64), base: 0, grow() {} });
  it('a malformed heap backing is an InputError naming the field', () => {
    expectInputError(() => new MemoryArena(undefined as never), 'backing');
    expectInputError(() => new MemoryArena({ ...backing(), buffer: [] } as never), 'backing.buffer');
    expectInputError(() => new MemoryArena({ ...backing(), base: -16 }), 'backing.base');
    expectInputError(() => new MemoryArena({ ...backing(), base: 1e10 }), 'backing.base');
    expectInputError(() => new MemoryArena({ ...backing(), grow: undefined } as never), 'backing.grow');
  });

  it('a valid backing gives an arena that allocates 16-byte aligned offsets', () => {
    const a = new MemoryArena({ ...backing(), base: 4 });
    expect(a.alloc(8)).toBe(16);
    expect(a.alloc(8)).toBe(32);
  });
});
