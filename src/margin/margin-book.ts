/**
 * The live margin book: accounts held between calls, each instrument resolved once ("units", with
 * an index from instrument and underlying to the accounts holding them), per-position amounts and
 * (portfolio margin) per-account scenario P&L vectors cached, so that a pre-trade what-if touches
 * only the changed positions and an index tick re-margins only the accounts exposed to it. Every
 * figure equals a from-scratch standardMargin / portfolioMargin (+ accountEquity) of the same state;
 * see docs/margin.md, "The live margin book". Under standard margin the per-position amounts and
 * the per-account totals live in book-wide typed columns (margin-book-columns.ts): an account
 * object keeps what fills planning and snapshots read, and its state fields are refreshed from the
 * columns only when something reads them (account(), the queues, an event).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireRecord } from '../arguments.js';
import { dict, own } from '../data-tables.js';
import { checkMarket, assetPrice, STABLECOINS } from './market.js';
import { resolveAccounts } from './market.js';
import { checkHaircuts, checkStandardParams, ruleFor, type StandardMarginParams } from './standard-params.js';
import type { MarginStatus } from './standard-margin.js';
import {
  accountMarginFromPnl, checkAggregation, marginGridRows, nettingKey, prepareMarginGrid, type MarginAggregation, type PortfolioMarginResult,
  type PreparedMarginGrid,
} from './portfolio-margin.js';
import type { ScenarioGrid } from './grids.js';
import { LINEAR, OPTION, SPOT, haircutIn, marginRatioOf, positionValue, standardAmounts } from './margin-book-amounts.js';
import { PnlStore, makeUnit, rebaseError, resolveSpecs, revalueUnits, unitKey, unitSpec, type BookUnit } from './margin-book-units.js';
import { MarginQueue, type MarginQueueEntry } from './margin-queue.js';
import { BookColumns, STATUS_NAMES, remarginSlot, retotalSlot, type SlotPricing } from './margin-book-columns.js';
import { BookAccount, exportOf, stateOf } from './margin-book-account.js';
import { planFills, type Plan } from './margin-book-fills.js';
import { snapshotArgs, snapshotOf, type MarginBookSnapshot } from './margin-book-snapshot.js';
import type {
  MarginBookAccountState, MarginBookArgs, MarginBookEventType, MarginMarketChanges, MarginOrder, MarginStatusChange, WhatIfResult,
} from './margin-book-types.js';
import type { AssetMarket, MarginAccount, MarginMarket } from './types.js';

export type { MarginQueueEntry } from './margin-queue.js';
export type { MarginBookSnapshot } from './margin-book-snapshot.js';
export type {
  MarginBookAccountState, MarginBookArgs, MarginBookEventType, MarginMarketChanges, MarginOrder, MarginStatusChange, WhatIfResult,
} from './margin-book-types.js';

const ARG_KEYS = ['accounts', 'market', 'params', 'grid', 'aggregation', 'haircuts', 'warningBuffer'] as const satisfies readonly (keyof MarginBookArgs)[];

const CHANGE_KEYS = ['assets', 'vols', 'rate'] as const satisfies readonly (keyof MarginMarketChanges)[];
const ASSET_CHANGE_KEYS = ['index', 'forwards'] as const;

/** A book event: `detail` says which account moved where. */
export class MarginBookEvent extends Event {
  readonly detail: MarginStatusChange;
  constructor(type: MarginBookEventType, detail: MarginStatusChange) {
    super(type);
    this.detail = detail;
  }
}

const DISPOSED = 'a live book (dispose() was called)';

/**
 * A live margin book (see the module comment). Create it with `engine.marginBook({ accounts,
 * market, params | grid })`; restore a snapshot with `engine.marginBook.fromJSON(snapshot)`.
 * Operations are atomic: one that throws leaves the book as it was. Events (`statusChange`,
 * `marginCall`, `liquidation`, each a {@link MarginBookEvent}) fire after an operation commits.
 */
export class MarginBook extends EventTarget {
  private readonly ctx: EngineContext;
  private market: MarginMarket;
  private readonly params: StandardMarginParams | undefined;
  private readonly grid: ScenarioGrid | undefined;
  private readonly pg: PreparedMarginGrid | undefined;
  private readonly rows: number;
  private readonly aggregation: MarginAggregation;
  private readonly haircuts: Readonly<Record<string, number>> | undefined;
  private readonly givenHaircuts: Readonly<Record<string, number>> | undefined;
  /** Warning buffer (fraction of IM). */
  readonly warningBuffer: number;
  private accounts = new Map<string, BookAccount>();
  private units = new Map<string, BookUnit>();
  private assetUnits = new Map<string, Set<BookUnit>>();
  private volUnits = new Map<string, Set<BookUnit>>();
  private collateralHolders = new Map<string, Set<BookAccount>>();
  /** Per underlying: the accounts holding positions on it, with how many. */
  private assetHolders = new Map<string, Map<BookAccount, number>>();
  private store: PnlStore | undefined;
  /** Units of orders for instruments no account holds yet (bounded; cleared by market updates). */
  private scratch = new Map<string, BookUnit>();
  private queue = new MarginQueue<BookAccount>((a) => this.refresh(a));
  /** Standard margin: per-position amounts and per-account totals as book-wide columns (see margin-book-columns.ts). */
  private cols: BookColumns<BookAccount> | undefined;
  private stampCounter = 0;
  private disposed = false;
  private readonly amounts = new Float64Array(2);
  /** Listeners added per event type (never decremented below what was added: an over-count only costs a dispatch). */
  private readonly listening = new Map<string, number>();
  /** Short-option netting classes by key (portfolio margin). */
  private readonly netClasses = new Map<string, number>();

  /** @internal use `engine.marginBook(args)`. @throws InputError for malformed args (paths `args.*`, `accounts[i]...`). */
  constructor(ctx: EngineContext, args: MarginBookArgs) {
    super();
    requireRecord(args, 'args');
    checkKeys(args, ARG_KEYS, 'args');
    if ((args.params === undefined) === (args.grid === undefined)) throw new InputError('args.params', args.params, 'exactly one of params (standard margin) or grid (portfolio margin)');
    this.ctx = ctx;
    if (args.params !== undefined) {
      this.params = checkStandardParams(args.params, 'args.params');
      if (args.aggregation !== undefined) throw new InputError('args.aggregation', args.aggregation, 'no aggregation with standard margin (params)');
    } else {
      this.pg = prepareMarginGrid(args.grid as ScenarioGrid);
      this.grid = args.grid;
    }
    this.rows = this.pg === undefined ? 0 : marginGridRows(this.pg);
    if (this.pg !== undefined) this.store = new PnlStore(this.rows);
    this.aggregation = this.pg === undefined ? 'per-asset' : checkAggregation(args.aggregation);
    this.givenHaircuts = args.haircuts === undefined ? undefined : checkHaircuts(args.haircuts, 'args.haircuts');
    this.haircuts = this.givenHaircuts ?? this.params?.haircuts;
    const buffer = args.warningBuffer ?? 0;
    if (typeof buffer !== 'number' || !Number.isFinite(buffer) || buffer < 0) throw new InputError('args.warningBuffer', buffer, 'a fraction >= 0');
    this.warningBuffer = buffer;
    checkMarket(args.market);
    this.market = structuredClone(args.market);
    if (this.params !== undefined) this.cols = new BookColumns(this.params);
    const accounts = args.accounts ?? [];
    if (!Array.isArray(accounts)) throw new InputError('args.accounts', accounts, 'an array of accounts');
    this.ingest(accounts, false);
  }

  /** EventTarget's, noting that `type` has a listener (events are built only for types someone listens to). */
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    super.addEventListener(type, listener, options);
    if (listener !== null) this.listening.set(type, (this.listening.get(type) ?? 0) + 1);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    super.removeEventListener(type, listener, options);
    const n = this.listening.get(type) ?? 0;
    if (n > 1) this.listening.set(type, n - 1);
    else this.listening.delete(type);
  }

  private emit(type: MarginBookEventType, change: MarginStatusChange): void {
    if (this.listening.has(type)) this.dispatchEvent(new MarginBookEvent(type, change));
  }

  private live(): void {
    if (this.disposed) throw new InputError('book', 'disposed', DISPOSED);
  }

  /** Number of accounts. */
  get size(): number {
    return this.accounts.size;
  }

  /** Account ids in the book's order. */
  ids(): string[] {
    return [...this.accounts.keys()];
  }

  /**
   * Where account `id` stands now (USD).
   * @throws InputError at `id` for an unknown account.
   */
  account(id: string): MarginBookAccountState & { portfolio?: PortfolioMarginResult } {
    this.live();
    const a = this.get(id, 'id');
    this.refresh(a);
    const s = stateOf(a);
    return a.portfolio === undefined ? s : { ...s, portfolio: a.portfolio };
  }

  /** Account `id` as a plain {@link MarginAccount} (its positions and collateral as the book holds them). */
  exportAccount(id: string): MarginAccount {
    this.live();
    return exportOf(this.get(id, 'id'));
  }

  /** The book's market (a copy). */
  currentMarket(): MarginMarket {
    this.live();
    return structuredClone(this.market);
  }

  private get(id: unknown, path: string): BookAccount {
    if (typeof id !== 'string') throw new InputError(path, id, 'an account id (string)');
    const a = this.accounts.get(id);
    if (a === undefined) throw new InputError(path, id, 'the id of an account in the book');
    return a;
  }

  /**
   * Add an account (its id unique in the book). Atomic.
   * @returns its state.
   * @throws InputError for a malformed account (paths `account...`), a duplicate id (`account.id`) or a position without a margin rule.
   */
  addAccount(account: MarginAccount): MarginBookAccountState {
    this.live();
    // An array would read as a batch to resolveAccounts: one account is an object.
    if (Array.isArray(account)) throw new InputError('account', account, 'one account { id?, collateral?, positions }');
    return stateOf(this.ingest([account], true)[0]);
  }

  /**
   * Remove account `id` (its units are freed when no other account holds them).
   * @throws InputError at `id` for an unknown account.
   */
  removeAccount(id: string): void {
    this.live();
    const a = this.get(id, 'id');
    this.release(a, a.units);
    for (const asset of a.collateral.keys()) this.collateralHolders.get(asset)?.delete(a);
    this.queue.remove(a);
    this.accounts.delete(id);
    if (this.cols !== undefined) {
      this.cols.removeSlot(a.slot);
      if (this.cols.fragmented) this.cols.compact();
    }
  }

  /**
   * Add `amount` of `asset` to account `id`'s collateral (coins; stablecoins count 1:1 USD).
   * @throws InputError for an unknown account (`id`), an asset the market cannot price (`asset`) or an amount that is not > 0 (`amount`).
   */
  deposit(id: string, asset: string, amount: number): MarginBookAccountState {
    this.live();
    const a = this.get(id, 'id');
    assetPrice(this.market, asset, 'asset');
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) throw new InputError('amount', amount, 'an amount > 0');
    return this.setCollateral(a, asset, (a.collateral.get(asset) ?? 0) + amount);
  }

  /**
   * Take `amount` of `asset` out of account `id`'s collateral. A withdrawal may leave the account
   * below margin (the caller decides); it may not take more than the account holds.
   * @throws InputError for an unknown account (`id`), an asset it does not hold (`asset`) or an amount not in (0, balance] (`amount`).
   */
  withdraw(id: string, asset: string, amount: number): MarginBookAccountState {
    this.live();
    const a = this.get(id, 'id');
    const have = typeof asset === 'string' ? a.collateral.get(asset) : undefined;
    if (have === undefined) throw new InputError('asset', asset, `an asset account ${id} holds as collateral`);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > have) throw new InputError('amount', amount, `an amount in (0, ${have}]`);
    return this.setCollateral(a, asset, have - amount);
  }

  private setCollateral(a: BookAccount, asset: string, amount: number): MarginBookAccountState {
    this.refresh(a);
    const status = a.status, warning = a.warning;
    if (!a.collateral.has(asset)) this.holdCollateral(a, asset);
    a.collateral.set(asset, amount);
    a.syncCollateral();
    if (this.cols !== undefined) {
      this.cols.colValid[a.slot] = 0;
      retotalSlot(this.cols, a.slot, this.pricing());
      this.refresh(a);
    } else this.retotal(a);
    this.settle(a, status, warning, null);
    return stateOf(a);
  }

  /**
   * IM, MM, equity and status of account `id` if `orders` filled at their prices, without changing
   * the book; the change against now and whether the orders pass the pre-trade IM check. Standard
   * margin recomputes only the changed positions; portfolio margin revalues only instruments new to
   * the book on the grid and adds size x their vectors to the account's cached scenario P&L.
   * @throws InputError for an unknown account (`id`) or a malformed order (`orders[i]...`).
   */
  whatIf(id: string, orders: readonly MarginOrder[]): WhatIfResult {
    this.live();
    const a = this.get(id, 'id');
    this.refresh(a);
    const plan = this.plan(a, orders, 'orders', true);
    const after = new BookAccount(a.id, a.description, plan.collateral, plan.raw, plan.units, plan.sizes, plan.entries, plan.fundings);
    if (this.pg === undefined) this.standardWhatIf(a, plan, after);
    else this.portfolioWhatIf(a, plan, after);
    this.retotal(after);
    const cash = plan.cashUsd < 0 ? 'cash' : null;
    const imOk = after.equity >= after.initialMargin || after.initialMargin <= a.initialMargin;
    const reason = cash ?? (imOk && after.status !== 'invalid' ? 'ok' : 'initialMargin');
    // One literal, no spread: object spread is many times slower in V8 and this is the pre-trade hot path.
    const out: WhatIfResult = {
      id: after.id, initialMargin: after.initialMargin, maintenanceMargin: after.maintenanceMargin, equity: after.equity,
      availableMargin: after.equity - after.initialMargin, marginRatio: after.marginRatio, initialMarginRatio: after.initialMarginRatio,
      status: after.status, warning: after.warning, before: stateOf(a),
      deltaInitialMargin: after.initialMargin - a.initialMargin, deltaMaintenanceMargin: after.maintenanceMargin - a.maintenanceMargin,
      deltaEquity: after.equity - a.equity, cashUsd: plan.cashUsd, passes: reason === 'ok', reason,
    };
    if (after.portfolio !== undefined) out.portfolio = after.portfolio;
    return out;
  }

  private standardWhatIf(a: BookAccount, plan: Plan, after: BookAccount): void {
    const n = plan.units.length;
    after.pIm = new Array(n);
    after.pMm = new Array(n);
    after.pVal = new Array(n);
    const c = this.cols as BookColumns<BookAccount>;
    const r0 = c.start[a.slot];
    for (let k = 0; k < n; k++) {
      const f = plan.from[k];
      if (f >= 0 && !plan.changed[k]) {
        after.pIm[k] = c.pIm[r0 + f];
        after.pMm[k] = c.pMm[r0 + f];
        after.pVal[k] = c.pVal[r0 + f];
      } else this.standardPosition(after, k, () => 'orders');
    }
  }

  private portfolioWhatIf(a: BookAccount, plan: Plan, after: BookAccount): void {
    if (plan.removed || a.subPnl === undefined || a.subOfPos === undefined) {
      this.portfolioAccount(after);
      return;
    }
    // Only changed and new positions: add (new size - old size) x their unit vector to the cached sums.
    const m = this.rows;
    const joint = this.aggregation === 'joint';
    const subAsset = a.subAsset.slice();
    const extra: number[] = [];
    const n = plan.units.length;
    const subOfPos = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const f = plan.from[k];
      if (f >= 0) subOfPos[k] = a.subOfPos[f];
      else {
        let j = joint ? 0 : subAsset.indexOf(plan.units[k].asset);
        if (j < 0) {
          j = subAsset.length;
          subAsset.push(plan.units[k].asset);
          extra.push(j);
        }
        subOfPos[k] = j;
      }
    }
    const subPnl = new Float64Array(Math.max(1, subAsset.length) * m);
    subPnl.set(a.subPnl.subarray(0, Math.min(a.subPnl.length, subPnl.length)));
    for (let k = 0; k < n; k++) {
      const f = plan.from[k];
      if (f >= 0 && !plan.changed[k]) continue;
      const dq = plan.sizes[k] - (f >= 0 ? a.sizes[f] : 0);
      const u = plan.units[k];
      const v = u.row >= 0 ? (this.store as PnlStore).data : (u.pnl as Float64Array);
      const r = u.row >= 0 ? u.row * m : 0;
      const o = subOfPos[k] * m;
      for (let s = 0; s < m; s++) subPnl[o + s] += dq * v[r + s];
    }
    this.finishPortfolio(after, subOfPos, subAsset, subPnl);
    for (let k = 0; k < n; k++) {
      const f = plan.from[k];
      after.pVal[k] = f >= 0 && !plan.changed[k] ? a.pVal[f] : positionValue(plan.units[k].r, plan.sizes[k], plan.entries[k], this.haircuts);
    }
  }

  /**
   * Apply fills to account `id` (see {@link MarginOrder}): sizes add up per instrument; futures and
   * perpetuals average their entry price when a fill adds to the position, realise P&L into the USD
   * collateral when it reduces it (a closed position's accrued funding settles too); option premiums
   * and spot purchases are paid from (sales paid into) the USD collateral. Atomic.
   * @throws InputError for an unknown account (`id`), a malformed fill (`fills[i]...`), a fill the
   * USD collateral cannot pay (`fills`) or that shorts spot (`fills[i].size`).
   */
  apply(id: string, fills: readonly MarginOrder[]): MarginBookAccountState {
    this.live();
    const a = this.get(id, 'id');
    const plan = this.plan(a, fills, 'fills', false);
    if (plan.cashUsd < 0) throw new InputError('fills', plan.cashUsd, `fills the USD collateral of ${id} can pay (it would be ${plan.cashUsd})`);
    const next = new BookAccount(a.id, a.description, plan.collateral, plan.raw, plan.units, plan.sizes, plan.entries, plan.fundings);
    this.remargin(next, () => 'fills');
    // Commit: nothing below throws.
    this.refresh(a);
    const status = a.status, warning = a.warning;
    const oldUnits = a.units;
    for (const u of plan.fresh) this.register(u);
    this.hold(a, plan.units);
    this.release(a, oldUnits);
    if (plan.collateral.has('USD') && !a.collateral.has('USD')) this.holdCollateral(a, 'USD');
    Object.assign(a, {
      collateral: next.collateral, raw: next.raw, units: next.units, sizes: next.sizes, entries: next.entries, fundings: next.fundings,
      pIm: next.pIm, pMm: next.pMm, pVal: next.pVal, portfolio: next.portfolio, subPnl: next.subPnl, subAsset: next.subAsset, subOfPos: next.subOfPos,
    });
    a.syncCollateral();
    this.retotal(a);
    if (this.cols !== undefined) {
      this.storeSlot(a);
      if (this.cols.fragmented) this.cols.compact();
    }
    this.settle(a, status, warning, null);
    return stateOf(a);
  }

  /** Fills planning against the book's units and market (see planFills). */
  private plan(a: BookAccount, fills: readonly MarginOrder[], path: string, whatIf: boolean): Plan {
    return planFills({ ctx: this.ctx, market: this.market, pg: this.pg, rows: this.rows, units: this.units, scratch: this.scratch }, a, fills, path, whatIf);
  }

  /**
   * Update the market and re-margin only the accounts exposed to what changed (holding a unit of a
   * changed asset or vol, or collateral in a changed asset; a rate change touches every option).
   * Atomic.
   * @returns the accounts whose status or warning flag changed, in the book's order.
   * @throws InputError for malformed changes (`changes.assets.BTC.index`, `changes.vols.X`, `changes.rate`).
   */
  updateMarket(changes: MarginMarketChanges): MarginStatusChange[] {
    this.live();
    requireRecord(changes, 'changes');
    checkKeys(changes, CHANGE_KEYS, 'changes');
    const mk = this.market;
    const assets = dict<AssetMarket>();
    for (const name of Object.keys(mk.assets)) assets[name] = mk.assets[name];
    const changedAssets = new Set<string>();
    if (changes.assets !== undefined) {
      requireRecord(changes.assets, 'changes.assets');
      for (const [name, c] of Object.entries(changes.assets)) {
        const p = `changes.assets.${name}`;
        requireRecord(c, p);
        checkKeys(c, ASSET_CHANGE_KEYS, p);
        const old = own(mk.assets, name);
        if (c.index !== undefined && (typeof c.index !== 'number' || !Number.isFinite(c.index) || c.index <= 0)) throw new InputError(`${p}.index`, c.index, 'a positive finite number');
        if (old === undefined && c.index === undefined) throw new InputError(`${p}.index`, c.index, 'an index for an asset new to the market');
        const next: AssetMarket = { index: c.index ?? (old as AssetMarket).index };
        const fw = c.forwards !== undefined ? c.forwards : old?.forwards;
        if (fw !== undefined) next.forwards = c.forwards !== undefined ? structuredClone(c.forwards) : fw;
        assets[name] = next;
        changedAssets.add(name);
      }
    }
    let vols = mk.vols;
    const changedVols = new Set<string>();
    if (changes.vols !== undefined) {
      requireRecord(changes.vols, 'changes.vols');
      vols = dict<number>();
      if (mk.vols) for (const name of Object.keys(mk.vols)) vols[name] = mk.vols[name];
      for (const [name, v] of Object.entries(changes.vols)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(`changes.vols.${name}`, v, 'a vol (decimal, finite, >= 0)');
        vols[name] = v;
        changedVols.add(name);
      }
    }
    let rate = mk.rate;
    const rateChanged = changes.rate !== undefined && changes.rate !== (mk.rate ?? 0);
    if (changes.rate !== undefined) {
      if (typeof changes.rate !== 'number' || !Number.isFinite(changes.rate)) throw new InputError('changes.rate', changes.rate, 'a finite rate');
      rate = changes.rate;
    }
    const market: MarginMarket = { ...mk, assets, ...(vols !== undefined ? { vols } : {}), ...(rate !== undefined ? { rate } : {}) };
    try {
      checkMarket(market);
    } catch (e) {
      throw rebaseError(e, 'market.assets', 'changes.assets');
    }
    // Units exposed to the changes, re-resolved in one batch (and revalued in one kernel pass).
    const touched = new Set<BookUnit>();
    if (rateChanged) for (const u of this.units.values()) touched.add(u);
    for (const name of changedAssets) for (const u of this.assetUnits.get(name) ?? []) touched.add(u);
    for (const name of changedVols) for (const u of this.volUnits.get(name) ?? []) touched.add(u);
    const list = [...touched];
    const resolved = resolveSpecs(this.ctx, list.map((u) => u.spec), list.map((u) => `units.${u.key}`), market);
    const fresh = list.map((u, j) => makeUnit(u.key, u.spec, resolved[j]));
    if (this.pg !== undefined) revalueUnits(this.ctx, this.pg, this.rows, fresh);
    // Commit.
    this.market = market;
    this.scratch.clear();
    const stamp = ++this.stampCounter;
    for (let j = 0; j < list.length; j++) {
      const u = list[j];
      u.stamp = stamp;
      u.r = fresh[j].r;
      if (this.cols !== undefined && u.index >= 0) {
        this.cols.uStamp[u.index] = stamp;
        this.cols.priceUnit(u);
      }
      if (u.row >= 0) (this.store as PnlStore).set(u.row, fresh[j].pnl as Float64Array);
      else u.pnl = fresh[j].pnl;
    }
    if (this.cols !== undefined) return this.tickColumns(this.cols, changedAssets, changedVols, rateChanged, stamp);
    // Exposed accounts, each once: holders of a moved underlying (or its collateral), of a re-marked vol, or all on a rate change.
    const exposed: BookAccount[] = [];
    if (rateChanged) for (const a of this.accounts.values()) exposed.push(a);
    else {
      for (const name of changedAssets) {
        for (const a of this.assetHolders.get(name)?.keys() ?? []) {
          if (a.stamp !== stamp) {
            a.stamp = stamp;
            exposed.push(a);
          }
        }
        for (const a of this.collateralHolders.get(name) ?? []) {
          a.colValid = false;
          if (a.stamp !== stamp) {
            a.stamp = stamp;
            exposed.push(a);
          }
        }
      }
      for (const name of changedVols) {
        for (const u of this.volUnits.get(name) ?? []) {
          for (const o of u.owners.keys()) {
            const a = o as BookAccount;
            if (a.stamp !== stamp) {
              a.stamp = stamp;
              exposed.push(a);
            }
          }
        }
      }
    }
    const out: MarginStatusChange[] = [];
    for (let i = 0; i < exposed.length; i++) {
      const a = exposed[i];
      const status = a.status, warning = a.warning;
      this.remargin(a, positionPath);
      this.settle(a, status, warning, out);
    }
    return out;
  }

  /** Accounts below IM x (1 + warningBuffer) and not below MM, worst margin ratio first, with the shortfall to IM x (1 + buffer) (USD). */
  marginCalls(): MarginQueueEntry[] {
    this.live();
    return this.queue.marginCalls(this.warningBuffer);
  }

  /** Accounts below MM, worst margin ratio first, with the shortfall to MM (USD). */
  liquidationQueue(): MarginQueueEntry[] {
    this.live();
    return this.queue.liquidationQueue();
  }

  /** A JSON snapshot: `engine.marginBook.fromJSON` restores an identical book. */
  toJSON(): MarginBookSnapshot {
    this.live();
    return snapshotOf({
      market: this.market, accounts: [...this.accounts.values()].map(exportOf), warningBuffer: this.warningBuffer,
      params: this.params, grid: this.grid, aggregation: this.aggregation, haircuts: this.givenHaircuts,
    });
  }

  /** Free the book's tables (accounts, units, vectors, queues). Any later call throws an InputError at `book`. */
  dispose(): void {
    this.disposed = true;
    this.accounts = new Map();
    this.units = new Map();
    this.assetUnits = new Map();
    this.volUnits = new Map();
    this.collateralHolders = new Map();
    this.assetHolders = new Map();
    this.scratch = new Map();
    if (this.store !== undefined) this.store = new PnlStore(this.rows);
    if (this.cols !== undefined) this.cols = new BookColumns(this.cols.params);
    this.queue.clear();
  }

  /**
   * What the book holds: accounts, positions, distinct instruments (units), the bytes of the
   * packed unit vectors (portfolio margin; rows of removed units are reused, so it stays at the
   * most units held at once) and of the standard-margin columns (holes left by removed accounts and
   * replaced positions are compacted once they outnumber the live rows, so it stays within a small
   * multiple of what the live accounts need).
   */
  memory(): { accounts: number; positions: number; units: number; vectorBytes: number; columnBytes: number } {
    let positions = 0;
    for (const a of this.accounts.values()) positions += a.units.length;
    return {
      accounts: this.accounts.size, positions, units: this.units.size, vectorBytes: this.store === undefined ? 0 : this.store.data.byteLength,
      columnBytes: this.cols === undefined ? 0 : this.cols.bytes,
    };
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Validate, resolve and add accounts (all or none). */
  private ingest(list: readonly MarginAccount[], single: boolean): BookAccount[] {
    const resolved = resolveAccounts(this.ctx, single ? list[0] : list, this.market);
    const ids = new Set<string>();
    const made: BookAccount[] = [];
    const fresh = new Map<string, BookUnit>();
    for (let i = 0; i < list.length; i++) {
      const acc = list[i];
      const apath = single ? 'account' : `accounts[${i}]`;
      const id = resolved[i].id;
      if (this.accounts.has(id) || ids.has(id)) throw new InputError(`${apath}.id`, id, 'an id not already in the book');
      ids.add(id);
      const collateral = new Map<string, number>();
      for (const c of resolved[i].collateral) collateral.set(c.asset, c.amount);
      const raw = acc.positions.map((p) => ({ ...(p as Record<string, unknown>) }));
      const units: BookUnit[] = [];
      const rp = resolved[i].positions;
      for (let k = 0; k < raw.length; k++) {
        const key = unitKey(raw[k]);
        let u = this.units.get(key) ?? fresh.get(key);
        if (u === undefined) fresh.set(key, (u = makeUnit(key, unitSpec(raw[k]), rp[k])));
        units.push(u);
      }
      const a = new BookAccount(id, acc.description, collateral, raw, units, rp.map((p) => p.size), rp.map((p) => p.entryPrice), rp.map((p) => p.accruedFunding));
      made.push(a);
    }
    const newUnits = [...fresh.values()];
    if (this.pg !== undefined) revalueUnits(this.ctx, this.pg, this.rows, newUnits);
    made.forEach((a, i) => this.remargin(a, (k) => `${single ? 'account' : `accounts[${i}]`}.positions[${k}]`));
    // Commit.
    for (const u of newUnits) this.register(u);
    for (const a of made) {
      this.accounts.set(a.id, a);
      this.cols?.addSlot(a);
      this.hold(a, a.units);
      for (const asset of a.collateral.keys()) this.holdCollateral(a, asset);
      if (this.cols !== undefined) this.storeSlot(a);
      this.settle(a, 'healthy', false, null);
    }
    return made;
  }

  private register(u: BookUnit): void {
    if (this.store !== undefined && u.row < 0) {
      u.row = this.store.add(u.pnl as Float64Array);
      u.pnl = undefined;
    }
    this.units.set(u.key, u);
    this.scratch.delete(u.key);
    let set = this.assetUnits.get(u.asset);
    if (set === undefined) this.assetUnits.set(u.asset, (set = new Set()));
    set.add(u);
    if (u.volName !== undefined) {
      let v = this.volUnits.get(u.volName);
      if (v === undefined) this.volUnits.set(u.volName, (v = new Set()));
      v.add(u);
    }
  }

  private hold(a: BookAccount, units: readonly BookUnit[]): void {
    for (const u of units) {
      u.owners.set(a, (u.owners.get(a) ?? 0) + 1);
      let h = this.assetHolders.get(u.asset);
      if (h === undefined) this.assetHolders.set(u.asset, (h = new Map()));
      const n = h.get(a) ?? 0;
      h.set(a, n + 1);
      if (n === 0) this.cols?.setHolder(u.asset, a.slot, true);
    }
  }

  /** Note `a` as holding `asset` as collateral (a moved index re-values it). */
  private holdCollateral(a: BookAccount, asset: string): void {
    let set = this.collateralHolders.get(asset);
    if (set === undefined) this.collateralHolders.set(asset, (set = new Set()));
    set.add(a);
    this.cols?.setCollateralHolder(asset, a.slot);
  }

  /** Drop `a`'s hold on `units`; a unit no account holds leaves the book (bounded memory). */
  private release(a: BookAccount, units: readonly BookUnit[]): void {
    for (const u of units) {
      const h = this.assetHolders.get(u.asset);
      if (h !== undefined) {
        const n = (h.get(a) ?? 0) - 1;
        if (n > 0) h.set(a, n);
        else {
          h.delete(a);
          this.cols?.setHolder(u.asset, a.slot, false);
        }
      }
      const c = (u.owners.get(a) ?? 0) - 1;
      if (c > 0) {
        u.owners.set(a, c);
        continue;
      }
      u.owners.delete(a);
      if (u.owners.size === 0 && this.units.get(u.key) === u) {
        this.units.delete(u.key);
        this.cols?.freeUnit(u);
        this.assetUnits.get(u.asset)?.delete(u);
        if (u.volName !== undefined) this.volUnits.get(u.volName)?.delete(u);
        if (u.row >= 0 && this.store !== undefined) {
          // The vector leaves the store; a what-if still holding the unit reads its own copy.
          u.pnl = this.store.data.slice(u.row * this.rows, (u.row + 1) * this.rows);
          this.store.release(u.row);
          u.row = -1;
        }
      }
    }
  }

  /**
   * Recompute every position of `a` from its units, then its totals, on the object (a new or
   * changed account, or a portfolio-margin tick; standard-margin ticks run on the columns).
   */
  private remargin(a: BookAccount, pathOf: (k: number) => string): void {
    if (this.pg === undefined) {
      const n = a.units.length;
      a.pIm = new Array(n);
      a.pMm = new Array(n);
      a.pVal = new Array(n);
      for (let k = 0; k < n; k++) this.standardPosition(a, k, pathOf);
    } else this.portfolioAccount(a);
    this.retotal(a);
  }

  private standardPosition(a: BookAccount, k: number, pathOf: (k: number) => string): void {
    const unit = a.units[k];
    const u = unit.r;
    const params = this.params as StandardMarginParams;
    // The rule depends on the unit's kind and asset only (fixed): looked up once per unit, not per position.
    if (unit.rule === undefined && u.kind !== 'spot') unit.rule = u.kind === 'option' ? ruleFor(params.options, u.asset) : ruleFor(params.linear, u.asset);
    standardAmounts(u, a.sizes[k], a.entries[k], params, pathOf, k, this.amounts, unit.rule);
    a.pIm[k] = this.amounts[0];
    a.pMm[k] = this.amounts[1];
    a.pVal[k] = positionValue(u, a.sizes[k], a.entries[k], this.haircuts);
  }

  /** Portfolio margin of `a` from its units' vectors, summed in position order (portfolioMargin's order). */
  private portfolioAccount(a: BookAccount): void {
    const m = this.rows;
    const n = a.units.length;
    const joint = this.aggregation === 'joint';
    const subOfPos = a.subOfPos !== undefined && a.subOfPos.length === n ? a.subOfPos : new Int32Array(n);
    const subAsset: string[] = joint ? ['*'] : [];
    for (let k = 0; k < n; k++) {
      if (joint) continue;
      let j = subAsset.indexOf(a.units[k].asset);
      if (j < 0) {
        j = subAsset.length;
        subAsset.push(a.units[k].asset);
      }
      subOfPos[k] = j;
    }
    const len = Math.max(1, subAsset.length) * m;
    // Re-margining in place (a market tick) reuses the account's arrays; what-ifs copy before they add.
    const subPnl = a.subPnl !== undefined && a.subPnl.length === len ? a.subPnl.fill(0) : new Float64Array(len);
    const store = this.store as PnlStore;
    for (let k = 0; k < n; k++) {
      const u = a.units[k];
      const v = u.row >= 0 ? store.data : (u.pnl as Float64Array);
      const r = u.row >= 0 ? u.row * m : 0;
      const q = a.sizes[k], o = subOfPos[k] * m;
      for (let s = 0; s < m; s++) subPnl[o + s] += q * v[r + s];
    }
    this.finishPortfolio(a, subOfPos, subAsset, subPnl);
    if (a.pVal.length !== n) a.pVal = new Array(n);
    for (let k = 0; k < n; k++) a.pVal[k] = positionValue(a.units[k].r, a.sizes[k], a.entries[k], this.haircuts);
  }

  private finishPortfolio(a: BookAccount, subOfPos: Int32Array, subAsset: string[], subPnl: Float64Array): void {
    const m = this.rows;
    const n = a.units.length;
    const store = this.store as PnlStore;
    if (a.rowsArr.length !== n) {
      a.rowsArr = new Int32Array(n);
      a.sizeArr = new Float64Array(n);
      a.classArr = new Int32Array(n);
      a.posArr = new Array(n);
    }
    const rows = a.rowsArr, positions = a.posArr;
    let stored = true;
    for (let k = 0; k < n; k++) {
      const u = a.units[k];
      positions[k] = u.r;
      rows[k] = u.row;
      a.sizeArr[k] = a.sizes[k];
      a.classArr[k] = u.netClass === -2 ? this.classOf(u) : u.netClass;
      if (u.row < 0) stored = false;
    }
    let unitPnl = store.data;
    if (!stored) {
      // Some unit is not in the book yet (a what-if or a fill of a new instrument): its own rows.
      unitPnl = new Float64Array(n * m);
      for (let k = 0; k < n; k++) {
        const u = a.units[k];
        unitPnl.set(u.row >= 0 ? store.data.subarray(u.row * m, (u.row + 1) * m) : (u.pnl as Float64Array), k * m);
        rows[k] = k;
      }
    }
    a.portfolio = accountMarginFromPnl(this.pg as PreparedMarginGrid, a.id, positions, a.sizeArr, rows, unitPnl, subOfPos, subAsset, subPnl, a.classArr);
    a.subPnl = subPnl;
    a.subAsset = subAsset;
    a.subOfPos = subOfPos;
    if (a.pVal.length !== n) a.pVal = new Array(n);
  }

  /** The netting class of a unit (assigned once: options with equal netting keys share one). */
  private classOf(u: BookUnit): number {
    const key = nettingKey(this.pg as PreparedMarginGrid, u.r);
    if (key === undefined) return (u.netClass = -1);
    let c = this.netClasses.get(key);
    if (c === undefined) this.netClasses.set(key, (c = this.netClasses.size));
    return (u.netClass = c);
  }

  /** What the column pass reads of the book (its market as of now). */
  private pricing(): SlotPricing {
    return { params: this.params as StandardMarginParams, haircuts: this.haircuts, market: this.market, warningBuffer: this.warningBuffer, amounts: this.amounts };
  }

  /**
   * Standard margin: `a`'s positions, amounts and totals (computed on the object by remargin and
   * retotal) into its column slot; the object's per-position arrays are dropped (the columns hold them).
   */
  private storeSlot(a: BookAccount): void {
    const c = this.cols as BookColumns<BookAccount>;
    const s = a.slot;
    c.write(s, a);
    c.colValue[s] = a.colValue;
    c.colValid[s] = a.colValid ? 1 : 0;
    c.im[s] = a.initialMargin;
    c.mm[s] = a.maintenanceMargin;
    c.equity[s] = a.equity;
    c.ratio[s] = a.marginRatio;
    c.imRatio[s] = a.initialMarginRatio;
    c.status[s] = STATUS_NAMES.indexOf(a.status);
    c.warning[s] = a.warning ? 1 : 0;
    a.pIm = [];
    a.pMm = [];
    a.pVal = [];
  }

  /** Standard margin: `a`'s state fields from its column slot (the columns are the truth; the object is read by stateOf and the queues). */
  private refresh(a: BookAccount): void {
    const c = this.cols;
    if (c === undefined || a.slot < 0) return;
    const s = a.slot;
    a.initialMargin = c.im[s];
    a.maintenanceMargin = c.mm[s];
    a.equity = c.equity[s];
    a.marginRatio = c.ratio[s];
    a.initialMarginRatio = c.imRatio[s];
    a.status = STATUS_NAMES[c.status[s]];
    a.warning = c.warning[s] === 1;
  }

  /**
   * Standard margin's update pass: the slots holding a moved underlying (or it as collateral), or an
   * option on a re-marked vol's underlying, or all on a rate change, visited once each in book order
   * (the OR of their holder bitsets); a slot re-margins only positions on re-resolved units, and its
   * object is touched only when its status or warning flag changed.
   */
  private tickColumns(c: BookColumns<BookAccount>, changedAssets: Set<string>, changedVols: Set<string>, all: boolean, stamp: number): MarginStatusChange[] {
    const masks: Uint32Array[] = [];
    for (const name of changedAssets) {
      const h = c.holders(name);
      if (h !== undefined) masks.push(h);
      const ch = c.collateralHolders(name);
      if (ch === undefined) continue;
      masks.push(ch);
      for (let w = 0; w < ch.length; w++) {
        let bits = ch[w];
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          c.colValid[(w << 5) + 31 - Math.clz32(low)] = 0;
        }
      }
    }
    for (const name of changedVols) {
      for (const u of this.volUnits.get(name) ?? []) {
        const h = c.holders(u.asset);
        if (h !== undefined && !masks.includes(h)) masks.push(h);
      }
    }
    const pr = this.pricing();
    const out: MarginStatusChange[] = [];
    const words = (c.slots + 31) >>> 5;
    const nm = masks.length;
    for (let w = 0; w < words; w++) {
      let bits = all ? -1 : 0;
      for (let i = 0; i < nm; i++) bits |= masks[i][w];
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const s = (w << 5) + 31 - Math.clz32(low);
        if (s >= c.slots) break;
        const a = c.owners[s];
        if (a === undefined) continue;
        const st = c.status[s], wa = c.warning[s];
        if (!remarginSlot(c, s, stamp, pr)) continue;
        if (c.status[s] !== st || c.warning[s] !== wa) {
          this.refresh(a);
          this.settle(a, STATUS_NAMES[st], wa === 1, out);
        }
      }
    }
    return out;
  }

  /** Totals, ratios and status of `a` from its cached per-position amounts (accountEquity's sums, in its order). */
  private retotal(a: BookAccount): void {
    const h = this.haircuts;
    let collateral = a.colValue;
    if (!a.colValid) {
      // The same sum in the same order as before, kept between ticks that move none of its assets.
      collateral = 0;
      const assets = a.colAssets, amounts = a.colAmounts;
      for (let i = 0; i < assets.length; i++) {
        const asset = assets[i];
        const price = STABLECOINS.has(asset) ? 1 : (own(this.market.assets, asset) as AssetMarket).index;
        collateral += amounts[i] * price * (1 - haircutIn(h, asset));
      }
      a.colValue = collateral;
      a.colValid = true;
    }
    let spot = 0, upnl = 0, funding = 0, options = 0, im = 0, mm = 0;
    const n = a.units.length;
    for (let k = 0; k < n; k++) {
      const b = a.units[k].bucket;
      if (b === SPOT) spot += a.pVal[k];
      else if (b === OPTION) options += a.pVal[k];
      else if (b === LINEAR) {
        upnl += a.pVal[k];
        funding += a.fundings[k];
      }
    }
    if (this.pg === undefined) {
      for (let k = 0; k < n; k++) {
        im += a.pIm[k];
        mm += a.pMm[k];
      }
    } else {
      im = (a.portfolio as PortfolioMarginResult).initialMargin;
      mm = (a.portfolio as PortfolioMarginResult).maintenanceMargin;
    }
    const equity = collateral + spot + upnl + funding + options;
    a.initialMargin = im;
    a.maintenanceMargin = mm;
    a.equity = equity;
    a.marginRatio = marginRatioOf(mm, equity);
    a.initialMarginRatio = marginRatioOf(im, equity);
    a.status = Number.isNaN(equity) || !Number.isFinite(im) || !Number.isFinite(mm) ? 'invalid' : equity < mm ? 'liquidation' : equity < im ? 'marginCall' : 'healthy';
    a.warning = a.status === 'healthy' && this.warningBuffer > 0 && equity < im * (1 + this.warningBuffer);
  }

  /** Queue placement and events after `a` changed; the change is appended to `out` when given. */
  private settle(a: BookAccount, status: MarginStatus, warning: boolean, out: MarginStatusChange[] | null): void {
    // Queue membership follows status and warning only (the order is taken when asked for).
    if (a.status === status && a.warning === warning) return;
    const call = a.status === 'marginCall' || a.warning;
    this.queue.place(a, call, a.status === 'liquidation');
    const change: MarginStatusChange = { id: a.id, from: status, to: a.status, warningBefore: warning, warning: a.warning, state: stateOf(a) };
    out?.push(change);
    this.emit('statusChange', change);
    if (a.status === 'liquidation' && status !== 'liquidation') this.emit('liquidation', change);
    else if (call && !(status === 'marginCall' || warning)) this.emit('marginCall', change);
  }
}

/** Path of a position in errors raised while re-margining the book (its rules were checked on entry: never expected). */
function positionPath(k: number): string {
  return `positions[${k}]`;
}

/**
 * A live margin book over `args.accounts` (see {@link MarginBook}).
 * @throws InputError for malformed args, accounts, market, params or grid.
 */
export function createMarginBook(ctx: EngineContext, args: MarginBookArgs): MarginBook {
  return new MarginBook(ctx, args);
}

/**
 * The book a {@link MarginBookSnapshot} describes (the same accounts, market and rules: an identical book).
 * @throws InputError at `snapshot...` for a malformed snapshot.
 */
export function createMarginBookFromJSON(ctx: EngineContext, snapshot: MarginBookSnapshot | string): MarginBook {
  return new MarginBook(ctx, snapshotArgs(snapshot));
}

/** `engine.marginBook`: a function making books, with `fromJSON` restoring one from a snapshot. */
export interface MarginBookFactory {
  /** A live margin book (see `createMarginBook`). @throws InputError for malformed args. */
  (args: MarginBookArgs): MarginBook;
  /** The book a snapshot describes (see `createMarginBookFromJSON`). @throws InputError for a malformed snapshot. */
  fromJSON(snapshot: MarginBookSnapshot | string): MarginBook;
}

/** The {@link MarginBookFactory} of an engine (what the Engine constructor installs as `engine.marginBook`). */
export function marginBookFactory(ctx: EngineContext): MarginBookFactory {
  const make = (args: MarginBookArgs): MarginBook => createMarginBook(ctx, args);
  return Object.assign(make, { fromJSON: (snapshot: MarginBookSnapshot | string): MarginBook => createMarginBookFromJSON(ctx, snapshot) });
}
