// Seeded fuzz over every public entry point of riskwasm: plain JavaScript over the library's
// namespace object, so the same cases run in-thread (Chromium, over src/) and in a watchdog worker
// thread (Node, over dist/, so that a synchronous hang is caught and named instead of hanging CI).
//
// The contract under test (README, "Errors"): a malformed call throws a RiskwasmError subclass;
// a bad element in a batch gets NaN with a non-ok status; no call hangs or takes seconds; the WASM
// and JS backends agree on what they threw or on every per-element status; nothing the caller
// passed in is mutated.
import fc from 'fast-check';

/** Values that break naive code: non-numbers, extreme and non-finite numbers, fake arrays, keys that are Object.prototype members. */
const HOSTILE_SCALARS = [
  undefined, null, 0, -0, -1, 0.5, 1, 2, 10, 100, NaN, Infinity, -Infinity, 5e-324, 1e-308, 2.2250738585072014e-308, 1e-30, 1e300, 1e308,
  -1e308, 2 ** 53, 1e10, '', 'x', '1', '0x10', 'call', 'put', '__proto__', 'constructor', 'toString', 'hasOwnProperty', true, false,
];

const KEY_POOL = [
  'spots', 'spot', 'forwards', 'forward', 'strikes', 'strike', 'expiries', 'expiry', 'vols', 'vol', 'rates', 'rate', 'dividendYields',
  'types', 'type', 'prices', 'price', 'greeks', 'settlement', 'discountFactors', 'returns', 'pnl', 'confidence', 'confidences', 'method',
  'horizonDays', 'horizonScaling', 'nu', 'paths', 'steps', 'seed', 'model', 'payoff', 'kind', 'v0', 'kappa', 'theta', 'sigma', 'rho',
  'lambda', 'muJ', 'deltaJ', 'params', 'quotes', 'weights', 'bounds', 'global', 'accounts', 'positions', 'collateral', 'market', 'assets',
  'instruments', 'index', 'size', 'instrument', 'asset', 'name', 'currency', 'history', 'scenarios', 'logReturns', 'portfolio',
  'window', 'observations', 'exceedances', 'samples', 'bootstrap', 'simulations', 'workers', 'signal', 'onProgress', 'chunkSize',
  'backend', 'maxIterations', 'tolerance', '__proto__', 'constructor',
  'loss', 'lossScale', 'quality', 'warmStart', 'maxRmse', 'minInsideBidAsk', 'boundTolerance', // [surface] fit options
];

function hostileValue(depth) {
  const leaves = [
    fc.constantFrom(...HOSTILE_SCALARS),
    fc.double(),
    fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
    fc.integer({ min: -3, max: 300 }),
    fc.constantFrom({ length: -1 }, { length: 1e10 }, { length: Infinity }, { length: 2.5 }, { length: '3' }),
    fc.constant(0).map(() => Object.create(null)),
    fc.constant(0).map(() => JSON.parse('{"__proto__": {"polluted": 1}}')),
    fc.constant(0).map(() => new Float64Array([1, NaN, -1])),
    fc.constant(0).map(() => new Int8Array([1, -1, 3])),
    fc.constant(0).map(() => new Uint8Array(2)),
    fc.constant(() => 1),
    fc.constant(Symbol('s')),
    fc.array(fc.constantFrom(...HOSTILE_SCALARS), { maxLength: 4 }),
    fc.array(fc.double({ min: -2, max: 200, noNaN: true }), { maxLength: 6 }),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  return fc.oneof(
    { arbitrary: fc.oneof(...leaves), weight: 3 },
    { arbitrary: fc.dictionary(fc.constantFrom(...KEY_POOL), hostileValue(depth - 1), { maxKeys: 6 }), weight: 2 },
    { arbitrary: fc.array(hostileValue(depth - 1), { maxLength: 3 }), weight: 1 },
  );
}

/** Arguments for a call: 0-4 hostile values, objects up to two levels deep. */
export const hostileArgs = fc.array(hostileValue(2), { maxLength: 4 });

/** A deep copy that keeps typed arrays, functions and symbols as they are (to compare after the call). */
function snapshot(v, seen = new Map()) {
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return seen.get(v);
  if (ArrayBuffer.isView(v)) return /** @type {any} */ (v).slice ? /** @type {any} */ (v).slice() : v;
  const out = Array.isArray(v) ? [] : Object.create(Object.getPrototypeOf(v));
  seen.set(v, out);
  for (const k of Reflect.ownKeys(v)) {
    if (k === 'length' && Array.isArray(v)) continue;
    const d = Object.getOwnPropertyDescriptor(v, k);
    // defineProperty, not assignment: an own `__proto__` key (from JSON.parse) must stay a key.
    if (d && 'value' in d) Object.defineProperty(out, k, { value: snapshot(d.value, seen), enumerable: d.enumerable, writable: true, configurable: true });
  }
  return out;
}

function sameValue(a, b, seen = new Set()) {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (seen.has(a)) return true;
  seen.add(a);
  if (ArrayBuffer.isView(a)) {
    const x = /** @type {any} */ (a), y = /** @type {any} */ (b);
    if (!ArrayBuffer.isView(b) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const da = Object.getOwnPropertyDescriptor(a, k);
    const db = Object.getOwnPropertyDescriptor(b, k);
    if (!db) return false;
    if ('value' in da && !sameValue(da.value, db.value, seen)) return false;
  }
  return true;
}

/** Brief text of a value for failure reports (no huge dumps). */
export function brief(v, depth = 0) {
  if (typeof v === 'symbol') return 'Symbol()';
  if (typeof v === 'function') return 'function';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  if (depth > 2) return '…';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(/** @type {any} */ (v)).slice(0, 4).join(',')}]`;
  if (Array.isArray(v)) return `[${v.slice(0, 5).map((x) => brief(x, depth + 1)).join(', ')}]`;
  const keys = Reflect.ownKeys(v).filter((k) => typeof k === 'string');
  return `{${keys.slice(0, 8).map((k) => `${k}: ${brief(v[k], depth + 1)}`).join(', ')}}`;
}

/**
 * Per-element checks on a returned value: wherever an object carries a `status` Uint8Array, every
 * Float64Array of the same length beside it must be NaN-free where the status is ok (0); a NaN
 * marked ok is the defect this looks for. Nested results (per-slice fits, per-account margins) are walked.
 */
export function nanMarkedOk(result, depth = 0, seen = new Set()) {
  if (result === null || typeof result !== 'object' || depth > 4 || seen.has(result)) return undefined;
  seen.add(result);
  if (ArrayBuffer.isView(result)) return undefined;
  const status = result.status;
  if (status instanceof Uint8Array) {
    for (const k of Object.keys(result)) {
      const col = result[k];
      if (!(col instanceof Float64Array) || col.length !== status.length) continue;
      for (let i = 0; i < col.length; i++) {
        if (status[i] === 0 && Number.isNaN(col[i])) return `${k}[${i}] is NaN with status ok`;
      }
    }
  }
  for (const k of Object.keys(result)) {
    const bad = nanMarkedOk(result[k], depth + 1, seen);
    if (bad) return `${k}.${bad}`;
  }
  return undefined;
}

/** What a call did, reduced to what must agree between backends. */
function outcomeKey(o) {
  if (o.kind === 'threw') return `threw ${o.error?.name}${o.error?.path === undefined ? '' : ` at ${o.error.path}`}`;
  if (o.kind === 'returned') {
    const statuses = [];
    collectStatuses(o.value, statuses, 0, new Set());
    return `returned${statuses.length ? ` statuses ${statuses.join('|')}` : ''}`;
  }
  return o.kind;
}

function collectStatuses(v, out, depth, seen) {
  if (v === null || typeof v !== 'object' || depth > 4 || seen.has(v) || out.length > 64) return;
  seen.add(v);
  if (v instanceof Uint8Array) return;
  if (ArrayBuffer.isView(v)) return;
  if (v.status instanceof Uint8Array) out.push(Array.from(v.status).join(','));
  for (const k of Object.keys(v)) collectStatuses(v[k], out, depth + 1, seen);
}

/**
 * Runs `fn(...args)` and classifies the outcome. Promise results are awaited. A result that is
 * itself a resource (a worker pool) is closed.
 */
export async function callOnce(rw, fn, thisArg, args) {
  const t0 = Date.now();
  try {
    let value = fn.apply(thisArg, args);
    if (value && typeof value.then === 'function') value = await value;
    if (value && typeof value.close === 'function' && value instanceof (rw.WorkerPool ?? class {})) await value.close();
    return { kind: 'returned', value, ms: Date.now() - t0 };
  } catch (error) {
    return { kind: 'threw', error, ms: Date.now() - t0 };
  }
}

// [surface] A small calendar-ordered SVI surface for the surface entry points.
const FUZZ_SURFACE_SLICES = [
  { expiry: 0.1, forward: 100.3, params: { a: 0.004, b: 0.08, rho: -0.4, m: 0.02, sigma: 0.15 } },
  { expiry: 1, forward: 102, params: { a: 0.04, b: 0.12, rho: -0.3, m: 0, sigma: 0.25 } },
];

/** Entry points that the generic shape fuzz calls: every exported function and every engine method. */
export function entryPoints(rw, engines) {
  const skip = new Set([
    // Class constructors: called with `new` below where construction takes user input.
    'RiskwasmError', 'InputError', 'KernelError', 'WasmUnavailableError', 'WorkerError', 'AbortedError', 'CsvRowError', 'Engine', 'WorkerPool',
    'ShardMerger', 'MemoryArena',
    // [surface] A class built by engine.volSurface / VolSurface.fromJSON (fuzzed below).
    'VolSurface',
    // [realtime] the live margin book: made by engine.marginBook (entries below), its event class is a result.
    'MarginBook', 'MarginBookEvent',
  ]);
  const points = [];
  for (const name of Object.keys(rw).sort()) {
    const f = rw[name];
    // Error classes are constructors of results, not entry points.
    if (typeof f !== 'function' || skip.has(name) || f.prototype instanceof Error) continue;
    points.push({ name, call: (_backend, args) => f(...args), backendFree: true });
  }
  for (const cls of ['MemoryArena', 'ShardMerger']) {
    if (typeof rw[cls] === 'function') points.push({ name: `new ${cls}`, call: (_b, args) => new rw[cls](...args), backendFree: true });
  }
  const anyEngine = engines.get('js') ?? engines.get('wasm');
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(anyEngine)).filter(
    (m) => m !== 'constructor' && typeof anyEngine[m] === 'function',
  );
  for (const m of methods.sort()) {
    points.push({ name: `engine.${m}`, call: (backend, args) => engines.get(backend)[m](...args), backendFree: false });
  }
  // [surface] VolSurface.fromJSON and the methods of a surface built on each backend.
  if (typeof rw.VolSurface === 'function') {
    points.push({ name: 'VolSurface.fromJSON', call: (_b, args) => rw.VolSurface.fromJSON(...args), backendFree: true });
    const surfaces = new Map();
    const surfaceOf = (backend) => {
      if (!surfaces.has(backend)) surfaces.set(backend, engines.get(backend).volSurface(FUZZ_SURFACE_SLICES, { spot: 100 }));
      return surfaces.get(backend);
    };
    for (const m of ['vol', 'totalVariance', 'localVol', 'forward', 'withEngine', 'toJSON']) {
      points.push({ name: `volSurface.${m}`, call: (backend, args) => surfaceOf(backend)[m](...args), backendFree: false });
    }
    // [surface] The localVol Monte Carlo model: hostile model fields and run arguments over a valid base.
    const plain = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
    points.push({
      name: 'engine.monteCarloSync (localVol)',
      call: (backend, args) => engines.get(backend).monteCarloSync({
        payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 0.5, steps: 4, paths: 64, seed: 1, ...plain(args[1]),
        model: { kind: 'localVol', surface: surfaceOf(backend), spot: 100, rate: 0.01, ...plain(args[0]) },
      }),
      backendFree: false,
    });
    // [hedging] simulateHedging on localVol paths: hostile model fields and run arguments over a valid base.
    points.push({
      name: 'engine.simulateHedging (localVol)',
      call: (backend, args) => engines.get(backend).simulateHedging({
        positions: [{ type: 'call', strike: 100, expiry: 0.5, quantity: -1 }], steps: 4, paths: 16, seed: 1, ...plain(args[1]),
        model: { kind: 'localVol', surface: surfaceOf(backend), spot: 100, rate: 0.01, ...plain(args[0]) },
      }),
      backendFree: false,
    });
  }
  // [realtime] engine.marginBook is a function property (with fromJSON), and a book's methods take user input.
  if (typeof anyEngine.marginBook === 'function') {
    points.push({ name: 'engine.marginBook', call: (backend, args) => engines.get(backend).marginBook(...args), backendFree: false });
    points.push({ name: 'engine.marginBook.fromJSON', call: (backend, args) => engines.get(backend).marginBook.fromJSON(...args), backendFree: false });
    const bookArgs = () => ({
      accounts: [{ id: 'a', collateral: { USD: 1000 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 1, entryPrice: 100 }, { kind: 'option', asset: 'BTC', strike: 100, expiry: 0.5, type: 'call', vol: 0.5, size: -1 }] }],
      market: { assets: { BTC: { index: 100 } } },
      params: rw.DERIBIT_STANDARD,
    });
    for (const m of ['whatIf', 'apply', 'updateMarket', 'deposit', 'withdraw', 'addAccount', 'removeAccount', 'account', 'exportAccount']) {
      points.push({ name: `marginBook.${m}`, call: (backend, args) => engines.get(backend).marginBook(bookArgs())[m](...args), backendFree: false });
    }
  }
  // [scale] engine.portfolioMarginColumns with a book in columns (MarginAccountColumns): a valid base
  // book with one field replaced by a hostile value (args[2] picks which) and hostile fields spread over it.
  if (typeof anyEngine.portfolioMarginColumns === 'function') {
    const BOOK_FIELDS = ['size', 'instrument', 'positionStart', 'instruments', 'entryPrice', 'accruedFunding', 'collateral', 'collateralAssets', 'ids'];
    const plainObject = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) ? v : {});
    const book = () => ({
      ids: ['a', 'b', 'c'],
      positionStart: new Int32Array([0, 2, 2, 5]),
      instruments: [{ kind: 'spot', asset: 'BTC' }, { kind: 'perpetual', asset: 'BTC' }, { kind: 'option', asset: 'BTC', strike: 100, expiry: 0.5, type: 'call', vol: 0.5 }],
      instrument: new Int32Array([0, 2, 1, 2, 2]),
      size: new Float64Array([1, -2, 3, 0.5, -1]),
      entryPrice: new Float64Array([NaN, NaN, 90, NaN, NaN]),
      accruedFunding: new Float64Array(5),
      collateralAssets: ['USDC', 'BTC'],
      collateral: new Float64Array([100, 0, 0, 1, 5, 0]),
    });
    points.push({
      name: 'engine.portfolioMarginColumns (book)',
      call: (backend, args) => {
        const b = book();
        const pick = typeof args[2] === 'number' && Number.isFinite(args[2]) ? Math.abs(Math.trunc(args[2])) % BOOK_FIELDS.length : 0;
        if (args.length > 1) b[BOOK_FIELDS[pick]] = args[1];
        return engines.get(backend).portfolioMarginColumns({ ...b, ...plainObject(args[0]) }, { assets: { BTC: { index: 100 } } }, rw.DERIBIT_GRID, args[3]);
      },
      backendFree: false,
    });
    // [scale] session 8: options.fields ('full' | 'summary') hostile (args[0]), over the valid book or hostile accounts (args[2]), other options spread (args[1]).
    points.push({
      name: 'engine.portfolioMarginColumns (fields)',
      call: (backend, args) => {
        const accounts = args[2] === undefined ? book() : args[2];
        return engines.get(backend).portfolioMarginColumns(accounts, { assets: { BTC: { index: 100 } } }, rw.DERIBIT_GRID, { ...plainObject(args[1]), fields: args[0] });
      },
      backendFree: false,
    });
  }
  return points;
}

/**
 * Runs the shape fuzz: `runsPerEntry` hostile argument lists for every entry point, each on both
 * backends where the entry point takes an engine. Returns the list of contract violations (empty
 * when the contract holds). `onCase(name, args)` is called before each call so a watchdog can
 * name the case that hung.
 * @param {any} rw
 * @param {Map<string, any>} engines
 * @param {{ seed?: number, runsPerEntry?: number, slowMs?: number, onCase?: (name: string, backend: string, args: unknown[]) => void, only?: string[], exclude?: string[] }} [options]
 */
export async function shapeFuzz(rw, engines, { seed, runsPerEntry = 40, slowMs = 3000, onCase = () => {}, only, exclude = [] } = {}) {
  const violations = [];
  const points = entryPoints(rw, engines).filter((p) => (!only || only.includes(p.name)) && !exclude.includes(p.name));
  const protoKeysBefore = Reflect.ownKeys(Object.prototype).length;
  for (const p of points) {
    // Each entry point's samples depend on the seed and its name only, so a case replays alone.
    const samples = fc.sample(hostileArgs, { seed: (seed ^ nameHash(p.name)) | 0, numRuns: runsPerEntry });
    for (const args of samples) {
      const backends = p.backendFree ? ['js'] : [...engines.keys()];
      const outcomes = [];
      for (const backend of backends) {
        const before = snapshot(args);
        onCase(p.name, backend, args);
        const o = await run(rw, p, backend, args);
        outcomes.push(o);
        const where = `${p.name}(${args.map((a) => brief(a)).join(', ')}) [${backend}]`;
        if (o.kind === 'threw' && !(o.error instanceof rw.RiskwasmError)) {
          violations.push(`${where}: threw ${o.error?.name ?? typeof o.error}: ${String(o.error?.message ?? o.error).slice(0, 160)}`);
        }
        if (o.kind === 'returned') {
          const bad = nanMarkedOk(o.value);
          if (bad) violations.push(`${where}: ${bad}`);
        }
        if (o.ms > slowMs) violations.push(`${where}: took ${o.ms} ms`);
        if (!sameValue(before, args)) violations.push(`${where}: mutated its arguments`);
        if (Reflect.ownKeys(Object.prototype).length !== protoKeysBefore) {
          violations.push(`${where}: added a key to Object.prototype`);
          for (const k of Reflect.ownKeys(Object.prototype).slice(protoKeysBefore)) delete Object.prototype[k];
        }
      }
      if (outcomes.length === 2 && outcomeKey(outcomes[0]) !== outcomeKey(outcomes[1])) {
        violations.push(`${p.name}(${args.map((a) => brief(a)).join(', ')}): backends disagree: wasm ${outcomeKey(outcomes[0])}, js ${outcomeKey(outcomes[1])}`);
      }
    }
  }
  return violations;
}

function nameHash(name) {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

async function run(rw, p, backend, args) {
  return callOnce(rw, (...a) => p.call(backend, a), null, args);
}

/** Numbers that sit at or past the edges of every domain. */
const EDGE_NUMBERS = [
  0, -0, -1, 1, NaN, Infinity, -Infinity, 5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-30, 1e-10, 1e10, 1e30, 1e300, 1e308, -1e308,
];

/** A numeric field: mostly ordinary values, sometimes an edge. */
function field(min, max) {
  return fc.oneof(
    { arbitrary: fc.double({ min, max, noNaN: true }), weight: 4 },
    { arbitrary: fc.constantFrom(...EDGE_NUMBERS), weight: 1 },
  );
}

/** Batch arguments of a valid shape (n elements) whose elements may be hostile. */
function batchOf(n, spec) {
  /** @type {Record<string, any>} */
  const cols = {};
  for (const [k, [min, max]] of Object.entries(spec)) cols[k] = fc.array(field(min, max), { minLength: n, maxLength: n });
  return fc.record(cols);
}

const typesOf = (n) => fc.array(fc.constantFrom('call', 'put'), { minLength: n, maxLength: n });

/**
 * Value-fuzz cases for the batch entry points: valid shapes, hostile elements. Each element must
 * come back either finite with status ok or NaN with a non-ok status, the backends must agree on
 * every status, and a valid element's result must not depend on its neighbours.
 * @returns {{ name: string, arb: import('fast-check').Arbitrary<any>, [key: string]: any }[]}
 */
export function valueCases() {
  const n = 6;
  const heston = fc.record({
    v0: field(1e-4, 1), kappa: field(0.01, 10), theta: field(1e-4, 1), sigma: field(0.01, 3), rho: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
  });
  return [
    {
      name: 'blackScholes',
      arb: fc.tuple(batchOf(n, { spots: [1, 1e5], strikes: [1, 1e5], expiries: [0, 5], vols: [0, 3], rates: [-0.1, 0.2], dividendYields: [-0.1, 0.2] }), typesOf(n), fc.boolean()),
      call: (e, [cols, types, greeks]) => e.blackScholes({ ...cols, types, greeks }),
      output: 'price',
      // [simd] one option as plain numbers too (the facade's one-option path): every column equal.
      scalarForm: true,
    },
    {
      name: 'black76',
      arb: fc.tuple(batchOf(n, { forwards: [1, 1e5], strikes: [1, 1e5], expiries: [0, 5], vols: [0, 3], discountFactors: [0.5, 1] }), typesOf(n), fc.constantFrom('usd', 'coin')),
      call: (e, [cols, types, settlement]) => e.black76({ ...cols, types, settlement }),
      output: 'price',
      // [simd] one option as plain numbers too (the facade's one-option path): every column equal.
      scalarForm: true,
    },
    {
      name: 'impliedVol',
      arb: fc.tuple(batchOf(n, { prices: [0, 1e4], forwards: [1, 1e5], strikes: [1, 1e5], expiries: [1e-4, 5] }), typesOf(n)),
      call: (e, [cols, types]) => e.impliedVol({ ...cols, types }),
      output: 'vols',
      // [simd] one option as plain numbers too (the facade's one-option path): every column equal.
      scalarForm: true,
    },
    // [simd] session 9: the same batches over engine-resident arrays (engine.allocateArray; WASM
    // reads and writes them in place): the element-wise contract, element 1 alone, both backends.
    {
      name: 'blackScholes (resident arrays)',
      arb: fc.tuple(batchOf(n, { spots: [1, 1e5], strikes: [1, 1e5], expiries: [0, 5], vols: [0, 3], rates: [-0.1, 0.2], dividendYields: [-0.1, 0.2] }), typesOf(n), fc.boolean()),
      call: (e, [cols, types, greeks]) => residentCall(e, cols, types, greeks ? 8 : 1, (a, out) => e.blackScholes({ ...a, greeks, out })),
      output: 'price',
    },
    {
      name: 'impliedVol (resident arrays)',
      arb: fc.tuple(batchOf(n, { prices: [0, 1e4], forwards: [1, 1e5], strikes: [1, 1e5], expiries: [1e-4, 5] }), typesOf(n)),
      call: (e, [cols, types]) => residentCall(e, cols, types, 0, (a, out) => e.impliedVol({ ...a, out: out.price })),
      output: 'vols',
    },
    {
      name: 'hestonPrice',
      arb: fc.tuple(batchOf(n, { forwards: [1, 1e5], strikes: [1, 1e5], expiries: [1e-3, 3] }), typesOf(n), heston),
      call: (e, [cols, types, params]) => e.hestonPrice({ ...cols, types, params }),
      output: 'price',
    },
    {
      name: 'batesPrice',
      arb: fc.tuple(
        batchOf(n, { forwards: [1, 1e5], strikes: [1, 1e5], expiries: [1e-3, 3] }), typesOf(n), heston,
        fc.record({ lambda: field(0, 5), muJ: field(-0.5, 0.5), deltaJ: field(0, 0.5) }),
      ),
      call: (e, [cols, types, params, jumps]) => e.batesPrice({ ...cols, types, params: { ...params, ...jumps } }),
      output: 'price',
    },
    // [hedging] book greeks: valid positions, hostile surface vols (one per option, in book order).
    {
      name: 'bookGreeks',
      arb: fc.tuple(
        fc.array(fc.record({
          kind: fc.constant('option'), asset: fc.constant('BTC'), size: fc.double({ min: -100, max: 100, noNaN: true }), strike: fc.double({ min: 1e3, max: 2e5, noNaN: true }),
          expiry: fc.double({ min: 0.01, max: 3, noNaN: true }), type: fc.constantFrom('call', 'put'), settlement: fc.constantFrom('usd', 'coin'),
        }), { minLength: n, maxLength: n }),
        fc.array(field(0, 3), { minLength: n, maxLength: n }),
        fc.constantFrom('strike', 'moneyness'), fc.constantFrom('usd', 'coin'),
      ),
      call: (e, [positions, vols, sticky, numeraire]) => e.bookGreeks(positions, { assets: { BTC: { index: 90000 } } }, {
        sticky, numeraire,
        surface: { vol: (a) => { const m = (a.strikes ?? a.moneyness).length; const v = Float64Array.from({ length: m }, (_, k) => vols[k % vols.length]); return { vols: v, status: new Uint8Array(m) }; } },
      }).positions,
      output: 'delta',
    },
    // [surface]
    ...['vol', 'totalVariance', 'localVol'].flatMap((m) => [
      {
        name: `volSurface.${m} (moneyness)`,
        arb: fc.tuple(batchOf(n, { moneyness: [-3, 3], expiries: [1e-3, 5] })),
        call: (e, [cols]) => e.volSurface(FUZZ_SURFACE_SLICES, { spot: 100 })[m](cols),
        output: m === 'vol' ? 'vols' : m === 'totalVariance' ? 'totalVariances' : 'localVols',
      },
      {
        name: `volSurface.${m} (strikes)`,
        arb: fc.tuple(batchOf(n, { strikes: [1, 1e4], expiries: [1e-3, 5] })),
        call: (e, [cols]) => e.volSurface(FUZZ_SURFACE_SLICES, { spot: 100 })[m](cols),
        output: m === 'vol' ? 'vols' : m === 'totalVariance' ? 'totalVariances' : 'localVols',
      },
    ]),
  ];
}

/**
 * [simd] Run `call` with every column of `cols` and the types in resident arrays of engine `e`
 * (outputs too: `width` columns of one resident block, or one `price` array for width 0), copy the
 * result's columns out and free everything (the result outlives the arrays).
 */
function residentCall(e, cols, types, width, call) {
  const n = types.length;
  const handles = [];
  const alloc = (type, length) => { const h = e.allocateArray({ type, length }); handles.push(h); return h; };
  const hs = Object.fromEntries(Object.keys(cols).map((k) => [k, alloc('f64', n)]));
  const ht = alloc('i8', n);
  const ho = alloc('f64', Math.max(width, 1) * n);
  for (const k of Object.keys(cols)) hs[k].array.set(cols[k]);
  ht.array.set(types.map((t) => (t === 'call' ? 1 : -1)));
  const a = Object.fromEntries(Object.keys(cols).map((k) => [k, hs[k].array]));
  a.types = ht.array;
  const names = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'].slice(0, Math.max(width, 1));
  const block = ho.array;
  const out = Object.fromEntries(names.map((g, i) => [g, block.subarray(i * n, (i + 1) * n)]));
  try {
    const r = call(a, out);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Float64Array || v instanceof Uint8Array ? v.slice() : v]));
  } finally {
    for (const h of handles) h.free();
  }
}

/**
 * The arguments with every per-element column cut to element i (scalars and records as they are);
 * `scalar`: element i itself instead of a one-element array.
 */
function elementOf(args, i, scalar = false) {
  const cut = (v) => (Array.isArray(v) ? (scalar ? v[i] : [v[i]]) : v && typeof v === 'object' && !ArrayBuffer.isView(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)])) : v);
  return args.map(cut);
}

function sameBits(a, b) {
  return Object.is(a, b);
}

/** The element-wise contract on one value-fuzz result; returns a violation or undefined. */
function checkBatch(result) {
  const status = result.status;
  if (!(status instanceof Uint8Array)) return 'no status array';
  for (const k of Object.keys(result)) {
    const col = result[k];
    if (!(col instanceof Float64Array) || col.length !== status.length) continue;
    for (let i = 0; i < col.length; i++) {
      if (status[i] === 0 && Number.isNaN(col[i])) return `${k}[${i}] is NaN with status ok`;
      if (status[i] !== 0 && !Number.isNaN(col[i])) return `${k}[${i}] = ${col[i]} with status ${status[i]} (a failed element must be NaN)`;
    }
  }
  const price = result.price;
  if (price instanceof Float64Array) {
    for (let i = 0; i < price.length; i++) if (status[i] === 0 && price[i] < 0) return `price[${i}] = ${price[i]} < 0 with status ok`;
  }
  return undefined;
}

/**
 * Runs the value fuzz: `runs` cases per batch entry point on every engine given. A malformed call
 * is not expected here (shapes are valid) but is reported only if it is not a RiskwasmError.
 * @param {any} rw
 * @param {Map<string, any>} engines
 * @param {{ seed?: number, runs?: number, onCase?: (name: string, backend: string, args: unknown[]) => void, exclude?: string[] }} [options]
 */
export function valueFuzz(rw, engines, { seed, runs = 40, onCase = () => {}, exclude = [] } = {}) {
  const violations = [];
  for (const c of valueCases()) {
    if (exclude.includes(`values:${c.name}`)) continue;
    const samples = fc.sample(c.arb, { seed: (seed ^ nameHash(c.name)) | 0, numRuns: runs });
    for (const args of samples) {
      const keys = [];
      for (const [backend, engine] of engines) {
        onCase(`values:${c.name}`, backend, [args]);
        const where = `values:${c.name}(${brief(args)}) [${backend}]`;
        let result;
        try {
          result = c.call(engine, args);
        } catch (error) {
          if (!(error instanceof rw.RiskwasmError)) violations.push(`${where}: threw ${error?.name}: ${String(error?.message).slice(0, 160)}`);
          keys.push(`threw ${error?.name} ${error?.path}`);
          continue;
        }
        const bad = checkBatch(result);
        if (bad) violations.push(`${where}: ${bad}`);
        keys.push(Array.from(result.status).join(','));
        // Each element priced alone must equal its value in the batch, bit for bit.
        const lone = c.call(engine, elementOf(args, 1));
        if (!Object.is(lone.status[0], result.status[1]) || !sameBits(lone[c.output][0], result[c.output][1])) {
          violations.push(`${where}: element 1 alone gives ${lone[c.output][0]} (status ${lone.status[0]}), in the batch ${result[c.output][1]} (status ${result.status[1]})`);
        }
        // [simd] the same element as scalars: every output column, bit for bit.
        if (c.scalarForm) {
          const alone = c.call(engine, elementOf(args, 1, true));
          for (const k of Object.keys(result)) {
            if (!(result[k] instanceof Float64Array)) continue;
            if (!(alone[k] instanceof Float64Array) || !sameBits(alone[k][0], result[k][1]) || alone.status[0] !== result.status[1]) {
              violations.push(`${where}: element 1 as scalars gives ${k} ${alone[k]?.[0]} (status ${alone.status[0]}), in the batch ${result[k][1]} (status ${result.status[1]})`);
            }
          }
        }
      }
      if (keys.length === 2 && keys[0] !== keys[1]) violations.push(`values:${c.name}(${brief(args)}): backends disagree on statuses: ${keys[0]} vs ${keys[1]}`);
    }
  }
  return violations;
}
