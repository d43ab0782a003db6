/**
 * The one error class of riskwasm/distributed beyond the pool's (`AbortedError`) and the shard's
 * own errors (which arrive rebuilt as their class: `InputError` with its path, `KernelError`, ...).
 */
import { RiskwasmError } from '../errors.js';

/** Why a distributed run failed outside any shard. */
export type DistributedFailure =
  /** Redis lost the run's state (restarted without persistence, flushed, or the keys expired): no result, never a partial one. */
  | 'stateLost'
  /** Redis did not answer for `redisTimeoutMs`. */
  | 'unavailable'
  /** A worker found the job's stored input missing (expired TTL or lost). */
  | 'inputMissing'
  /** The worker runs another riskwasm build than the submitter: results would not be bit-identical. */
  | 'buildMismatch';

/**
 * A distributed run failed for a reason of its own (Redis, the stored input, the workers' build),
 * never a wrong number. `code` is `'DISTRIBUTED'`; `reason` says which ({@link DistributedFailure});
 * `shardsDone` how many shards had finished.
 */
export class DistributedError extends RiskwasmError {
  readonly reason: DistributedFailure;
  readonly shardsDone: number;
  constructor(reason: DistributedFailure, message: string, shardsDone = 0) {
    super('DISTRIBUTED', message);
    this.name = 'DistributedError';
    this.reason = reason;
    this.shardsDone = shardsDone;
  }
}
