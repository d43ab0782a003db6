/**
 * Book-wide columns of the standard-margin live book. An index tick must re-margin ~100,000
 * accounts in a few tens of milliseconds; walking one object graph per account (account object,
 * its unit, size, entry and amount arrays: ~10 heap objects each) is bound by memory latency, and
 * its speed then depends on where the garbage collector left those objects (the same code ran 45
 * or 65 ms per 100,000-account tick depending on which of two books was built first, whatever
 * their backends: bench/margin-book.mjs with and without --reverse). Here
 * an account is a slot: a range of position rows (unit index, size, entry, funding and the cached
 * IM, MM and equity value of each position) and a row of totals and status, all in typed arrays
 * that grow by doubling; an underlying's holders are a bitset over slots, so an update visits the
 * exposed slots in book order with no per-account object touched unless its status changes.
 * Removed accounts and replaced position ranges leave holes, compacted when they outnumber the
 * live rows.
 */
import { own } from '../data-tables.js';
import { STABLECOINS } from './market.js';
import { LINEAR, OPTION, SPOT, haircutIn, marginRatioOf, positionValue, standardAmounts } from './margin-book-amounts.js';
import { ruleFor, type StandardMarginParams } from './standard-params.js';
import type { MarginStatus } from './standard-margin.js';
import type { BookUnit } from './margin-book-units.js';
import type { AssetMarket, MarginMarket } from './types.js';

/** Status codes of the status column (in severity order). */
export const STATUS_NAMES: readonly MarginStatus[] = ['healthy', 'marginCall', 'liquidation', 'invalid'];
const HEALTHY = 0, MARGIN_CALL = 1, LIQUIDATION = 2, INVALID = 3;
const GENERAL_UNIT = 0, OPTION_UNIT = 1, LINEAR_UNIT = 2;

/** What a slot's cold record must offer: its collateral as columns (read when a collateral asset moved). */
export interface SlotOwner {
  slot: number;
  colAssets: readonly string[];
  colAmounts: readonly number[];
}

/** An account's positions and amounts as the object path computes them (copied into the columns). */
export interface SlotPositions {
  units: readonly BookUnit[];
  sizes: readonly number[];
  entries: readonly number[];
  fundings: readonly number[];
  pIm: readonly number[];
  pMm: readonly number[];
  pVal: readonly number[];
}

function grownF64(a: Float64Array, n: number) {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
function grownI32(a: Int32Array, n: number) {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function grownU8(a: Uint8Array, n: number) {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
function grownU32(a: Uint32Array, n: number) {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

/** A bitset over account slots, one per underlying (or collateral asset). */
type SlotBits = Uint32Array;

/**
 * The columns (see the module comment). Slots are handed out in insertion order and kept in that
 * order by compaction, so a slot walk is the book's order.
 */
export class BookColumns<A extends SlotOwner> {
  /** Slots handed out (live or holes). */
  slots = 0;
  private live = 0;
  owners: (A | undefined)[] = [];
  start = new Int32Array(64);
  count = new Int32Array(64);
  colValue = new Float64Array(64);
  colValid = new Uint8Array(64);
  im = new Float64Array(64);
  mm = new Float64Array(64);
  equity = new Float64Array(64);
  ratio = new Float64Array(64);
  imRatio = new Float64Array(64);
  status = new Uint8Array(64);
  warning = new Uint8Array(64);

  /** Position rows used (live or holes) and the holes among them. */
  rowsUsed = 0;
  private deadRows = 0;
  pUnit = new Int32Array(256);
  pSize = new Float64Array(256);
  pEntry = new Float64Array(256);
  pFunding = new Float64Array(256);
  pIm = new Float64Array(256);
  pMm = new Float64Array(256);
  pVal = new Float64Array(256);

  /** Units by index (undefined: a freed index), with their update stamp and equity bucket. */
  units: (BookUnit | undefined)[] = [];
  uStamp = new Int32Array(64);
  uBucket = new Uint8Array(64);
  /**
   * How a unit's positions are margined on a tick: OPTION_UNIT (an option with a rule: its mark and
   * one short unit's IM and MM, standardAmounts at size -1, so q x these are its amounts bit for
   * bit), LINEAR_UNIT (a USD-settled future or perpetual under a size-linear rule: its mark and the
   * rule's rates, standardAmounts' arithmetic inline), else GENERAL_UNIT (standardAmounts itself).
   */
  uFast = new Uint8Array(64);
  uMark = new Float64Array(64);
  uIm1 = new Float64Array(64);
  uMm1 = new Float64Array(64);
  uRpu = new Float64Array(64);
  private readonly freeUnits: number[] = [];
  private readonly scratch = new Float64Array(2);

  constructor(readonly params: StandardMarginParams) {}

  /** Holders per underlying (positions) and per collateral asset: bitsets over slots. */
  private readonly posBits = new Map<string, SlotBits>();
  private readonly colBits = new Map<string, SlotBits>();

  /** The unit's index in the unit columns, assigned on first use. */
  unitIndex(u: BookUnit): number {
    if (u.index < 0) {
      const i = this.freeUnits.pop() ?? this.units.length;
      if (i >= this.uStamp.length) {
        const n = 2 * this.uStamp.length;
        this.uStamp = grownI32(this.uStamp, n);
        this.uBucket = grownU8(this.uBucket, n);
        this.uFast = grownU8(this.uFast, n);
        this.uMark = grownF64(this.uMark, n);
        this.uIm1 = grownF64(this.uIm1, n);
        this.uMm1 = grownF64(this.uMm1, n);
        this.uRpu = grownF64(this.uRpu, n);
      }
      this.units[i] = u;
      this.uStamp[i] = u.stamp;
      this.uBucket[i] = u.bucket;
      u.index = i;
      this.priceUnit(u);
    }
    return u.index;
  }

  /** Unit `u`'s per-unit figures after its resolution `u.r` changed (see uFast). */
  priceUnit(u: BookUnit): void {
    const i = u.index, r = u.r;
    this.uFast[i] = GENERAL_UNIT;
    this.uMark[i] = r.markPerUnit;
    if (r.kind === 'option') {
      const rule = ruleFor(this.params.options, r.asset);
      if (rule === undefined) return;
      standardAmounts(r, -1, NaN, this.params, positionPath, 0, this.scratch, rule);
      this.uFast[i] = OPTION_UNIT;
      this.uIm1[i] = this.scratch[0];
      this.uMm1[i] = this.scratch[1];
    } else if ((r.kind === 'future' || r.kind === 'perpetual') && r.settlement !== 'coin') {
      const rule = ruleFor(this.params.linear, r.asset);
      if (rule === undefined || rule.type !== 'size-linear') return;
      this.uFast[i] = LINEAR_UNIT;
      this.uIm1[i] = rule.initialRate;
      this.uMm1[i] = rule.maintenanceRate;
      this.uRpu[i] = rule.ratePerUnit;
    }
  }

  /** A unit left the book: its index is reused. */
  freeUnit(u: BookUnit): void {
    if (u.index < 0) return;
    this.units[u.index] = undefined;
    this.freeUnits.push(u.index);
    u.index = -1;
  }

  /** A new slot for `owner` (positions and totals written by {@link write}). */
  addSlot(owner: A): number {
    const s = this.slots++;
    if (s >= this.start.length) this.growSlots(2 * this.start.length);
    this.owners[s] = owner;
    this.start[s] = this.rowsUsed;
    this.count[s] = 0;
    this.live++;
    owner.slot = s;
    return s;
  }

  private growSlots(n: number): void {
    this.start = grownI32(this.start, n);
    this.count = grownI32(this.count, n);
    this.colValue = grownF64(this.colValue, n);
    this.colValid = grownU8(this.colValid, n);
    this.im = grownF64(this.im, n);
    this.mm = grownF64(this.mm, n);
    this.equity = grownF64(this.equity, n);
    this.ratio = grownF64(this.ratio, n);
    this.imRatio = grownF64(this.imRatio, n);
    this.status = grownU8(this.status, n);
    this.warning = grownU8(this.warning, n);
    const words = (n + 31) >>> 5;
    for (const m of [this.posBits, this.colBits]) for (const [k, b] of m) if (b.length < words) m.set(k, grownU32(b, words));
  }

  private growRows(n: number): void {
    this.pUnit = grownI32(this.pUnit, n);
    this.pSize = grownF64(this.pSize, n);
    this.pEntry = grownF64(this.pEntry, n);
    this.pFunding = grownF64(this.pFunding, n);
    this.pIm = grownF64(this.pIm, n);
    this.pMm = grownF64(this.pMm, n);
    this.pVal = grownF64(this.pVal, n);
  }

  /**
   * Slot `s`'s positions and per-position amounts from `p` (in position order): in place when they
   * fit its range, else in a new range at the end (the old one a hole).
   */
  write(s: number, p: SlotPositions): void {
    const n = p.units.length;
    const old = this.count[s];
    let r = this.start[s];
    if (n > old) {
      if (r + old === this.rowsUsed) this.rowsUsed = r; // the last range grows in place
      else this.deadRows += old;
      r = this.rowsUsed;
      if (r + n > this.pUnit.length) this.growRows(Math.max(2 * this.pUnit.length, r + n));
      this.rowsUsed = r + n;
      this.start[s] = r;
    } else this.deadRows += old - n;
    this.count[s] = n;
    for (let k = 0; k < n; k++) {
      this.pUnit[r + k] = this.unitIndex(p.units[k]);
      this.pSize[r + k] = p.sizes[k];
      this.pEntry[r + k] = p.entries[k];
      this.pFunding[r + k] = p.fundings[k];
      this.pIm[r + k] = p.pIm[k];
      this.pMm[r + k] = p.pMm[k];
      this.pVal[r + k] = p.pVal[k];
    }
  }

  /** Free slot `s` (a hole until compaction). */
  removeSlot(s: number): void {
    this.owners[s] = undefined;
    this.deadRows += this.count[s];
    this.count[s] = 0;
    this.live--;
    const w = s >>> 5, bit = ~(1 << (s & 31));
    for (const m of [this.posBits, this.colBits]) for (const b of m.values()) b[w] &= bit;
  }

  private bitsOf(m: Map<string, SlotBits>, asset: string): SlotBits {
    let b = m.get(asset);
    if (b === undefined) m.set(asset, (b = new Uint32Array((this.start.length + 31) >>> 5)));
    return b;
  }

  /** Mark slot `s` as holding positions on `asset` (or not). */
  setHolder(asset: string, s: number, on: boolean): void {
    const b = this.bitsOf(this.posBits, asset);
    if (on) b[s >>> 5] |= 1 << (s & 31);
    else b[s >>> 5] &= ~(1 << (s & 31));
  }

  /** Mark slot `s` as holding `asset` as collateral. */
  setCollateralHolder(asset: string, s: number): void {
    const b = this.bitsOf(this.colBits, asset);
    b[s >>> 5] |= 1 << (s & 31);
  }

  /** Holders of positions on `asset`, and of `asset` as collateral (undefined: none ever). */
  holders(asset: string): SlotBits | undefined {
    return this.posBits.get(asset);
  }
  collateralHolders(asset: string): SlotBits | undefined {
    return this.colBits.get(asset);
  }

  /** Whether holes outnumber live rows (or slots) enough to be worth a compaction. */
  get fragmented(): boolean {
    return this.deadRows > Math.max(4096, this.rowsUsed - this.deadRows) || this.slots - this.live > Math.max(1024, this.live);
  }

  /** Drop the holes, keeping the slots' order (owners get their new slot numbers). */
  compact(): void {
    const n = this.live;
    const map = new Int32Array(this.slots).fill(-1);
    const rows = this.rowsUsed - this.deadRows;
    const next = new BookColumns<A>(this.params);
    next.growSlots(Math.max(64, n));
    next.growRows(Math.max(256, rows));
    let r = 0, t = 0;
    for (let s = 0; s < this.slots; s++) {
      const o = this.owners[s];
      if (o === undefined) continue;
      map[s] = t;
      next.owners[t] = o;
      o.slot = t;
      const c = this.count[s], r0 = this.start[s];
      next.start[t] = r;
      next.count[t] = c;
      next.pUnit.set(this.pUnit.subarray(r0, r0 + c), r);
      next.pSize.set(this.pSize.subarray(r0, r0 + c), r);
      next.pEntry.set(this.pEntry.subarray(r0, r0 + c), r);
      next.pFunding.set(this.pFunding.subarray(r0, r0 + c), r);
      next.pIm.set(this.pIm.subarray(r0, r0 + c), r);
      next.pMm.set(this.pMm.subarray(r0, r0 + c), r);
      next.pVal.set(this.pVal.subarray(r0, r0 + c), r);
      next.colValue[t] = this.colValue[s];
      next.colValid[t] = this.colValid[s];
      next.im[t] = this.im[s];
      next.mm[t] = this.mm[s];
      next.equity[t] = this.equity[s];
      next.ratio[t] = this.ratio[s];
      next.imRatio[t] = this.imRatio[s];
      next.status[t] = this.status[s];
      next.warning[t] = this.warning[s];
      r += c;
      t++;
    }
    const words = (next.start.length + 31) >>> 5;
    for (const m of [this.posBits, this.colBits]) {
      for (const [asset, b] of [...m]) {
        const nb = new Uint32Array(words);
        for (let w = 0; w < b.length; w++) {
          let bits = b[w];
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const s = (w << 5) + 31 - Math.clz32(low);
            const to = s < map.length ? map[s] : -1;
            if (to >= 0) nb[to >>> 5] |= 1 << (to & 31);
          }
        }
        m.set(asset, nb);
      }
    }
    this.slots = n;
    this.live = n;
    this.owners = next.owners;
    this.start = next.start;
    this.count = next.count;
    this.colValue = next.colValue;
    this.colValid = next.colValid;
    this.im = next.im;
    this.mm = next.mm;
    this.equity = next.equity;
    this.ratio = next.ratio;
    this.imRatio = next.imRatio;
    this.status = next.status;
    this.warning = next.warning;
    this.rowsUsed = r;
    this.deadRows = 0;
    this.pUnit = next.pUnit;
    this.pSize = next.pSize;
    this.pEntry = next.pEntry;
    this.pFunding = next.pFunding;
    this.pIm = next.pIm;
    this.pMm = next.pMm;
    this.pVal = next.pVal;
  }

  /** Bytes held by the typed columns. */
  get bytes(): number {
    let b = 0;
    for (const x of [this.start, this.count, this.colValue, this.colValid, this.im, this.mm, this.equity, this.ratio, this.imRatio, this.status, this.warning,
      this.pUnit, this.pSize, this.pEntry, this.pFunding, this.pIm, this.pMm, this.pVal, this.uStamp, this.uBucket, this.uFast, this.uMark, this.uIm1, this.uMm1, this.uRpu]) b += x.byteLength;
    for (const m of [this.posBits, this.colBits]) for (const x of m.values()) b += x.byteLength;
    return b;
  }
}

/** What the per-slot arithmetic reads of the book. */
export interface SlotPricing {
  params: StandardMarginParams;
  haircuts: Readonly<Record<string, number>> | undefined;
  market: MarginMarket;
  warningBuffer: number;
  /** Scratch for standardAmounts (IM, MM). */
  amounts: Float64Array;
}

/** Path of a position in errors raised while re-margining the book (its rules were checked on entry: never expected). */
function positionPath(k: number): string {
  return `positions[${k}]`;
}

/**
 * Re-margin slot `s` after the units stamped `stamp` were re-resolved: the amounts of positions on
 * those units (standardAmounts and positionValue, or their arithmetic inline on the unit's cached
 * figures), summed as they are computed into the totals (one pass over the slot's rows).
 * @returns whether anything of the slot was recomputed (false: nothing it holds moved).
 */
export function remarginSlot<A extends SlotOwner>(c: BookColumns<A>, s: number, stamp: number, pr: SlotPricing): boolean {
  const r0 = c.start[s], r1 = r0 + c.count[s];
  const pUnit = c.pUnit, uStamp = c.uStamp, uFast = c.uFast, uBucket = c.uBucket;
  const pSize = c.pSize, pEntry = c.pEntry, pIm = c.pIm, pMm = c.pMm, pVal = c.pVal, pFunding = c.pFunding;
  let moved = c.colValid[s] === 0;
  let spot = 0, upnl = 0, funding = 0, options = 0, im = 0, mm = 0;
  for (let r = r0; r < r1; r++) {
    const ui = pUnit[r];
    if (uStamp[ui] === stamp) {
      moved = true;
      const fast = uFast[ui];
      if (fast === OPTION_UNIT) {
        // standardAmounts' option branch and positionValue's (same operations).
        const size = pSize[r], mark = c.uMark[ui];
        const q = Math.abs(size);
        if (size >= 0) {
          const prem = q * mark;
          pIm[r] = prem;
          pMm[r] = prem;
        } else {
          pIm[r] = q * c.uIm1[ui];
          pMm[r] = q * c.uMm1[ui];
        }
        pVal[r] = size * mark;
      } else if (fast === LINEAR_UNIT) {
        // standardAmounts' size-linear branch (not coin-settled) and unrealisedOf's (same operations).
        const size = pSize[r], mark = c.uMark[ui], entry = pEntry[r];
        const notional = Math.abs(size) * mark;
        const extra = Math.abs(size) * c.uRpu[ui];
        pIm[r] = notional * (c.uIm1[ui] + extra);
        pMm[r] = notional * (c.uMm1[ui] + extra);
        pVal[r] = Number.isFinite(entry) ? size * (mark - entry) : 0;
      } else {
        const unit = c.units[ui] as BookUnit;
        const u = unit.r;
        if (unit.rule === undefined && u.kind !== 'spot') unit.rule = u.kind === 'option' ? ruleFor(pr.params.options, u.asset) : ruleFor(pr.params.linear, u.asset);
        standardAmounts(u, pSize[r], pEntry[r], pr.params, positionPath, r - r0, pr.amounts, unit.rule);
        pIm[r] = pr.amounts[0];
        pMm[r] = pr.amounts[1];
        pVal[r] = positionValue(u, pSize[r], pEntry[r], pr.haircuts);
      }
    }
    const b = uBucket[ui];
    if (b === SPOT) spot += pVal[r];
    else if (b === OPTION) options += pVal[r];
    else if (b === LINEAR) {
      upnl += pVal[r];
      funding += pFunding[r];
    }
    im += pIm[r];
    mm += pMm[r];
  }
  if (moved) finishSlot(c, s, pr, spot, upnl, funding, options, im, mm);
  return moved;
}

/**
 * Totals, ratios and status of slot `s` from its cached amounts: the book's retotal (accountEquity's
 * sums in its order), on columns.
 */
export function retotalSlot<A extends SlotOwner>(c: BookColumns<A>, s: number, pr: SlotPricing): void {
  let spot = 0, upnl = 0, funding = 0, options = 0, im = 0, mm = 0;
  const r0 = c.start[s], r1 = r0 + c.count[s];
  const pUnit = c.pUnit, uBucket = c.uBucket, pVal = c.pVal;
  for (let r = r0; r < r1; r++) {
    const b = uBucket[pUnit[r]];
    if (b === SPOT) spot += pVal[r];
    else if (b === OPTION) options += pVal[r];
    else if (b === LINEAR) {
      upnl += pVal[r];
      funding += c.pFunding[r];
    }
    im += c.pIm[r];
    mm += c.pMm[r];
  }
  finishSlot(c, s, pr, spot, upnl, funding, options, im, mm);
}

/** Slot `s`'s collateral value (recomputed if a collateral asset moved), equity, margins, ratios and status from its position sums. */
function finishSlot<A extends SlotOwner>(
  c: BookColumns<A>, s: number, pr: SlotPricing, spot: number, upnl: number, funding: number, options: number, im: number, mm: number,
): void {
  let collateral = c.colValue[s];
  if (c.colValid[s] === 0) {
    // The same sum in the same order as the object path, kept between ticks that move none of its assets.
    const o = c.owners[s] as A;
    const assets = o.colAssets, amounts = o.colAmounts;
    collateral = 0;
    for (let i = 0; i < assets.length; i++) {
      const asset = assets[i];
      const price = STABLECOINS.has(asset) ? 1 : (own(pr.market.assets, asset) as AssetMarket).index;
      collateral += amounts[i] * price * (1 - haircutIn(pr.haircuts, asset));
    }
    c.colValue[s] = collateral;
    c.colValid[s] = 1;
  }
  const equity = collateral + spot + upnl + funding + options;
  c.im[s] = im;
  c.mm[s] = mm;
  c.equity[s] = equity;
  c.ratio[s] = marginRatioOf(mm, equity);
  c.imRatio[s] = marginRatioOf(im, equity);
  const status = Number.isNaN(equity) || !Number.isFinite(im) || !Number.isFinite(mm) ? INVALID : equity < mm ? LIQUIDATION : equity < im ? MARGIN_CALL : HEALTHY;
  c.status[s] = status;
  c.warning[s] = status === HEALTHY && pr.warningBuffer > 0 && equity < im * (1 + pr.warningBuffer) ? 1 : 0;
}
