/**
 * The error a Monte Carlo run throws when its `signal` aborts: the worker pool's
 * {@link AbortedError}, re-exported so that in-thread and pooled runs throw one class.
 */
export { AbortedError } from '../parallel/errors.js';
