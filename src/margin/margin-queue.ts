/**
 * Margin-call and liquidation queues of the live margin book: which accounts are below initial
 * margin (or within the warning buffer of it) and which are below maintenance, kept as sets by every
 * update and ordered on demand by margin ratio (worst first), with the shortfall each must cover.
 */

/** One entry of `MarginBook.marginCalls` or `MarginBook.liquidationQueue`. Amounts in USD. */
export interface MarginQueueEntry {
  id: string;
  /** Maintenance margin / equity (Infinity when equity <= 0 < MM). */
  marginRatio: number;
  equity: number;
  initialMargin: number;
  maintenanceMargin: number;
  /**
   * What the account must add to leave the queue: margin calls IM x (1 + warningBuffer) - equity
   * (> 0), liquidations MM - equity (> 0).
   */
  shortfall: number;
}

/** What the queue reads of an account. */
export interface QueuedAccount {
  readonly id: string;
  readonly initialMargin: number;
  readonly maintenanceMargin: number;
  readonly equity: number;
  readonly marginRatio: number;
}

/** Worst first: higher margin ratio, then larger shortfall, then id (a total order: equal inputs, equal queues). */
function byRatio(a: MarginQueueEntry, b: MarginQueueEntry): number {
  if (a.marginRatio !== b.marginRatio) return a.marginRatio > b.marginRatio ? -1 : 1;
  if (a.shortfall !== b.shortfall) return a.shortfall > b.shortfall ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The two queues as sets of accounts; entries are built and sorted only when asked for. */
export class MarginQueue<A extends QueuedAccount> {
  private readonly calls = new Set<A>();
  private readonly liquidations = new Set<A>();

  /** @param sync called on each member before its entry is read (a book keeping state in columns brings the object up to date). */
  constructor(private readonly sync?: (a: A) => void) {}

  /** Put `a` in the queue its state calls for (`call`: below IM or in the buffer; `liquidation`: below MM), out of the other. */
  place(a: A, call: boolean, liquidation: boolean): void {
    if (liquidation) this.liquidations.add(a);
    else this.liquidations.delete(a);
    if (call && !liquidation) this.calls.add(a);
    else this.calls.delete(a);
  }

  remove(a: A): void {
    this.calls.delete(a);
    this.liquidations.delete(a);
  }

  clear(): void {
    this.calls.clear();
    this.liquidations.clear();
  }

  /** Accounts below IM x (1 + buffer) but not below MM, worst margin ratio first. */
  marginCalls(buffer: number): MarginQueueEntry[] {
    return [...this.calls].map((a) => {
      this.sync?.(a);
      return entry(a, a.initialMargin * (1 + buffer) - a.equity);
    }).sort(byRatio);
  }

  /** Accounts below MM, worst margin ratio first. */
  liquidationQueue(): MarginQueueEntry[] {
    return [...this.liquidations].map((a) => {
      this.sync?.(a);
      return entry(a, a.maintenanceMargin - a.equity);
    }).sort(byRatio);
  }

  get size(): number {
    return this.calls.size + this.liquidations.size;
  }
}

function entry(a: QueuedAccount, shortfall: number): MarginQueueEntry {
  return {
    id: a.id, marginRatio: a.marginRatio, equity: a.equity, initialMargin: a.initialMargin, maintenanceMargin: a.maintenanceMargin, shortfall,
  };
}
