import { RiskwasmError } from '../errors.js';

/**
 * A sharded run (Monte Carlo, or any worker-pool task) stopped because its `signal` was aborted.
 * `code` is `'ABORTED'`; `name` is `'AbortError'`, the DOM convention, so code that checks
 * `e.name === 'AbortError'` treats it like a cancelled `fetch`. `reason` is `signal.reason`;
 * `shardsDone` says how many shards had finished.
 */
export class AbortedError extends RiskwasmError {
  readonly reason: unknown;
  readonly shardsDone: number;
  constructor(reason: unknown, shardsDone: number) {
    super('ABORTED', `run aborted after ${shardsDone} shard(s)`);
    this.name = 'AbortError';
    this.reason = reason;
    this.shardsDone = shardsDone;
  }
}
