/**
 * A columnar wire form for arrays of flat records (an account's positions: `{ instrument, size,
 * entryPrice? }`): one Float64Array of values and one Uint8Array of tags per key, strings through a
 * dictionary, each record's key order kept through a table of shapes. Serialising a million small
 * objects one by one (structured clone or JSON) costs about as much as margining them (~10 us an
 * account of 20 positions); columns cost a fraction of that, so the submitter is not the bottleneck.
 *
 * Exact: numbers travel as doubles (-0, NaN, infinities kept), strings, booleans, null and undefined
 * as themselves, every record's keys in their own order. A record with any other value (a nested
 * object, a bigint, a getter's result is read once) makes {@link packRecords} return null, and the
 * caller sends the array as it is.
 */

/** Columns of an array of flat records (see the module comment). */
export interface PackedRecords {
  count: number;
  /** The distinct key sequences; `shapes[shape[i]]` are record i's keys in order. */
  shapes: string[][];
  shape: Uint32Array;
  /** One column per key in `keys`: tag per record and value per record. */
  keys: string[];
  tags: Uint8Array[];
  values: Float64Array[];
  /** String values by index (tag STRING: the value column holds the index). */
  strings: string[];
}

const ABSENT = 0;
const NUMBER = 1;
const STRING = 2;
const UNDEFINED = 3;
const NULL = 4;
const TRUE = 5;
const FALSE = 6;

/** Columns of `records` (plain objects of primitive values), or null if any record is not one. */
export function packRecords(records: readonly unknown[]): PackedRecords | null {
  const n = records.length;
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const shape = new Uint32Array(n);
  const keyIndex = new Map<string, number>();
  const keys: string[] = [];
  const tags: Uint8Array[] = [];
  const values: Float64Array[] = [];
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  let last: string[] | null = null;
  let lastId = -1;
  // Column of each key of each shape, so that records of a known shape skip the key look-ups.
  const shapeColumns: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r) || Object.getPrototypeOf(r) !== Object.prototype) return null;
    const ks = Object.keys(r);
    // Records of one array mostly share a shape: compare with the previous one before hashing.
    let same = last !== null && last.length === ks.length;
    for (let j = 0; same && j < ks.length; j++) if (ks[j] !== last![j]) same = false;
    if (!same) {
      const sig = ks.join('\u0000');
      let id = shapeIds.get(sig);
      if (id === undefined) {
        id = shapes.length;
        shapes.push(ks);
        shapeIds.set(sig, id);
        const cols: number[] = [];
        for (const k of ks) {
          let c = keyIndex.get(k);
          if (c === undefined) {
            // Rebuilding would set the prototype instead of an own key: send such records as they are.
            if (k === '__proto__') return null;
            c = keys.length;
            keyIndex.set(k, c);
            keys.push(k);
            tags.push(new Uint8Array(n));
            values.push(new Float64Array(n));
          }
          cols.push(c);
        }
        shapeColumns.push(cols);
      }
      last = ks;
      lastId = id;
    }
    shape[i] = lastId;
    const cols = shapeColumns[lastId]!;
    for (let j = 0; j < ks.length; j++) {
      const c = cols[j]!;
      const v = (r as Record<string, unknown>)[ks[j]!];
      switch (typeof v) {
        case 'number':
          tags[c]![i] = NUMBER;
          values[c]![i] = v;
          break;
        case 'string': {
          let s = stringIds.get(v);
          if (s === undefined) {
            s = strings.length;
            strings.push(v);
            stringIds.set(v, s);
          }
          tags[c]![i] = STRING;
          values[c]![i] = s;
          break;
        }
        case 'undefined':
          tags[c]![i] = UNDEFINED;
          break;
        case 'boolean':
          tags[c]![i] = v ? TRUE : FALSE;
          break;
        default:
          if (v !== null) return null;
          tags[c]![i] = NULL;
      }
    }
  }
  return { count: n, shapes, shape, keys, tags, values, strings };
}

/** The records {@link packRecords} packed: new plain objects, same keys in the same order, same values. */
export function unpackRecords(p: PackedRecords): Record<string, unknown>[] {
  const column = new Map<string, number>();
  p.keys.forEach((k, c) => column.set(k, c));
  const shapeColumns = p.shapes.map((ks) => ks.map((k) => column.get(k)!));
  const out = new Array<Record<string, unknown>>(p.count);
  for (let i = 0; i < p.count; i++) {
    const s = p.shape[i]!;
    const ks = p.shapes[s]!;
    const cs = shapeColumns[s]!;
    const r: Record<string, unknown> = {};
    for (let j = 0; j < ks.length; j++) {
      const c = cs[j]!;
      const tag = p.tags[c]![i];
      const x = p.values[c]![i]!;
      r[ks[j]!] = tag === NUMBER ? x : tag === STRING ? p.strings[x] : tag === NULL ? null : tag === TRUE ? true : tag === FALSE ? false : undefined;
    }
    out[i] = r;
  }
  return out;
}

/** Accounts as columns: each account's head (its keys, with `positions` and `collateral` standing in as indices), collaterals and positions. */
export interface PackedAccounts {
  heads: PackedRecords;
  collaterals: PackedRecords;
  positions: PackedRecords;
  /** Positions of account i: positions [offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * Columns of margin accounts (`{ id?, collateral?: { asset: amount }, positions: [{...}], ... }`),
 * or null when an account has another shape (a malformed one, say): the caller then sends the
 * accounts as they are, so the worker meets the same malformed value and throws the same error.
 */
export function packAccounts(accounts: readonly unknown[]): PackedAccounts | null {
  const heads: Record<string, unknown>[] = [];
  const collaterals: unknown[] = [];
  const positions: unknown[] = [];
  const offsets = new Uint32Array(accounts.length + 1);
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i];
    if (!isPlain(a) || !Array.isArray(a.positions)) return null;
    const head: Record<string, unknown> = {};
    for (const k of Object.keys(a)) {
      if (k === 'positions') head[k] = a.positions.length;
      else if (k === 'collateral' && isPlain(a.collateral)) {
        head[k] = collaterals.length;
        collaterals.push(a.collateral);
      } else head[k] = a[k];
    }
    heads.push(head);
    const ps = a.positions as unknown[];
    for (let j = 0; j < ps.length; j++) {
      if (!(j in ps)) return null; // a hole: not a record
      positions.push(ps[j]);
    }
    offsets[i + 1] = positions.length;
  }
  const h = packRecords(heads);
  const c = packRecords(collaterals);
  const p = packRecords(positions);
  return h && c && p ? { heads: h, collaterals: c, positions: p, offsets } : null;
}

/** The accounts {@link packAccounts} packed (new objects, same keys in the same order, same values). */
export function unpackAccounts(p: PackedAccounts): Record<string, unknown>[] {
  const heads = unpackRecords(p.heads);
  const collaterals = unpackRecords(p.collaterals);
  const positions = unpackRecords(p.positions);
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i]!;
    h.positions = positions.slice(p.offsets[i], p.offsets[i + 1]);
    if (typeof h.collateral === 'number') h.collateral = collaterals[h.collateral];
  }
  return heads;
}
