import { InputError } from '../../errors.js';
import { checkKeys } from '../../option-keys.js';
import { requireNumberArray } from '../../arguments.js';
import type { KernelHeap } from '../../kernels/heap.js';
import { philox4x32_10, uniformFromWords } from '../../kernels/random/philox.js';
import type { EndReason } from './least-squares.js';

/** Options of {@link differentialEvolution}. */
export interface DifferentialEvolutionOptions {
  /** Finite bounds of the search box (length nParams). */
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** Seed (integer in [0, 2^53)): the whole run is a pure function of it. */
  seed: number;
  /** Population size; default max(15, 10 nParams). */
  populationSize?: number;
  /** Generations at most; default 200. */
  maxGenerations?: number;
  /** Differential weight F in (0, 2]; default 0.7. */
  weight?: number;
  /** Crossover probability CR in [0, 1]; default 0.9. */
  crossover?: number;
  /** Stop when (max cost - min cost) <= tolerance (|min cost| + tolerance) over the population. Default 1e-10. */
  tolerance?: number;
  /** Members to seed the population with (e.g. a local fit), clipped into the box. */
  seeds?: ArrayLike<number>[];
}

/** The keys of {@link DifferentialEvolutionOptions}. */
export const DE_KEYS = [
  'lower', 'upper', 'seed', 'populationSize', 'maxGenerations', 'weight', 'crossover', 'tolerance', 'seeds',
] as const satisfies readonly (keyof DifferentialEvolutionOptions)[];

/** Largest population and generation count accepted (every loop has a bound). */
export const DE_MAX_POPULATION = 100_000;
export const DE_MAX_GENERATIONS = 1_000_000;

const MAX_REDRAWS = 256;

/** Result of {@link differentialEvolution}. */
export interface DifferentialEvolutionResult {
  params: Float64Array;
  cost: number;
  reason: EndReason;
  generations: number;
  evaluations: number;
}

/**
 * Differential evolution, DE/rand/1/bin (Storn & Price, J. Global Optimization 11 (1997) 341-359),
 * with mutants reflected back into the box: a seeded global stage before a local
 * Levenberg-Marquardt polish. Randomness comes from Philox4x32-10 keyed by the seed, counter =
 * (generation, member, draw), so the run is reproducible on every backend and platform.
 * @throws InputError for malformed bounds or options, or (path `cost`) when cost returns a non-number.
 */
export function differentialEvolution(
  cost: (params: Float64Array) => number,
  options: DifferentialEvolutionOptions,
): DifferentialEvolutionResult {
  if (typeof cost !== 'function') throw new InputError('cost', cost, 'a function of the parameter vector');
  if (options === null || typeof options !== 'object') throw new InputError('options', options, '{ lower, upper, seed, ... }');
  checkKeys(options, DE_KEYS, '');
  const lower = requireNumberArray(options.lower, 'lower', 1, 10_000);
  const n = lower.length;
  const lo = Float64Array.from(lower);
  const hi = Float64Array.from(requireNumberArray(options.upper, 'upper', n, n));
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(hi[j])) throw new InputError(`upper[${j}]`, hi[j], 'a finite bound');
    if (!Number.isFinite(lo[j]) || !(lo[j] <= hi[j])) throw new InputError(`lower[${j}]`, lo[j], `a finite bound <= upper[${j}] (${hi[j]})`);
  }
  const seed = options.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 53) throw new InputError('seed', seed, 'an integer in [0, 2^53)');
  const np = options.populationSize ?? Math.max(15, 10 * n);
  if (!Number.isInteger(np) || np < 4 || np > DE_MAX_POPULATION) throw new InputError('populationSize', np, `an integer in [4, ${DE_MAX_POPULATION}]`);
  const maxGen = options.maxGenerations ?? 200;
  if (!Number.isInteger(maxGen) || maxGen < 0 || maxGen > DE_MAX_GENERATIONS) throw new InputError('maxGenerations', maxGen, `an integer in [0, ${DE_MAX_GENERATIONS}]`);
  const F = options.weight ?? 0.7;
  if (typeof F !== 'number' || !(F > 0 && F <= 2)) throw new InputError('weight', F, 'a number in (0, 2]');
  const CR = options.crossover ?? 0.9;
  if (typeof CR !== 'number' || !(CR >= 0 && CR <= 1)) throw new InputError('crossover', CR, 'a number in [0, 1]');
  const tol = options.tolerance ?? 1e-10;
  if (typeof tol !== 'number' || !(tol >= 0) || tol === Infinity) throw new InputError('tolerance', tol, 'a finite number >= 0');
  const seeds = options.seeds;
  if (seeds !== undefined) {
    if (!Array.isArray(seeds)) throw new InputError('seeds', seeds, 'an array of parameter vectors');
    for (let i = 0; i < Math.min(seeds.length, np); i++) {
      const s = seeds[i] as unknown;
      if (s === null || typeof s !== 'object' || (s as ArrayLike<unknown>).length !== n) throw new InputError(`seeds[${i}]`, s, `an array of ${n} numbers`);
      for (let j = 0; j < n; j++) if (typeof (s as ArrayLike<unknown>)[j] !== 'number') throw new InputError(`seeds[${i}][${j}]`, (s as ArrayLike<unknown>)[j], 'a number');
    }
  }

  const heap = { u32: new Uint32Array(4) } as unknown as KernelHeap;
  const k0 = seed >>> 0;
  const k1 = Math.floor(seed / 2 ** 32) >>> 0;
  const words = heap.u32;
  // Two uniforms per Philox block: counter (gen, member, draw / 2, 0).
  const uniform = (gen: number, member: number, draw: number): number => {
    philox4x32_10(heap, gen, member, draw >>> 1, 0, k0, k1, 0);
    return (draw & 1) === 0 ? uniformFromWords(words[0], words[1]) : uniformFromWords(words[2], words[3]);
  };

  let evaluations = 0;
  const evaluate = (p: Float64Array): number => {
    evaluations++;
    const c = cost(p);
    if (typeof c !== 'number') throw new InputError('cost', c, 'a function returning a number');
    return Number.isNaN(c) ? Infinity : c;
  };
  const pop: Float64Array[] = [];
  const costs = new Float64Array(np);
  for (let i = 0; i < np; i++) {
    const p = new Float64Array(n);
    const s = seeds?.[i];
    for (let j = 0; j < n; j++) {
      p[j] = s !== undefined ? Math.min(hi[j], Math.max(lo[j], s[j])) : lo[j] + (hi[j] - lo[j]) * uniform(0, i, j);
    }
    pop.push(p);
    costs[i] = evaluate(p);
  }
  const trial = new Float64Array(n);
  let gen = 0;
  let reason: EndReason = 'maxGenerations';
  while (gen < maxGen) {
    let best = Infinity;
    let worst = -Infinity;
    for (let i = 0; i < np; i++) {
      best = Math.min(best, costs[i]);
      worst = Math.max(worst, costs[i]);
    }
    if (worst - best <= tol * (Math.abs(best) + tol)) {
      reason = 'converged';
      break;
    }
    gen++;
    for (let i = 0; i < np; i++) {
      let draw = 0;
      const pick = (): number => Math.min(np - 1, Math.floor(uniform(gen, i, draw++) * np));
      // Rejection sampling of three distinct members other than i; each retry succeeds with
      // probability >= 1/4 (np >= 4), and after MAX_REDRAWS the next free index is taken, so the
      // loops are bounded (reached with probability < (3/4)^256 per pick).
      const distinct = (taken: (x: number) => boolean): number => {
        let x = pick();
        for (let t = 0; t < MAX_REDRAWS && taken(x); t++) x = pick();
        for (let t = 0; t < np && taken(x); t++) x = (x + 1) % np;
        return x;
      };
      const a = distinct((x) => x === i);
      const b = distinct((x) => x === i || x === a);
      const c = distinct((x) => x === i || x === a || x === b);
      const jr = Math.min(n - 1, Math.floor(uniform(gen, i, draw++) * n));
      const pa = pop[a], pb = pop[b], pc = pop[c], pi = pop[i];
      for (let j = 0; j < n; j++) {
        if (j === jr || uniform(gen, i, draw++) < CR) {
          let v = pa[j] + F * (pb[j] - pc[j]);
          if (v < lo[j]) v = lo[j] + (lo[j] - v) % (hi[j] - lo[j] || 1);
          if (v > hi[j]) v = hi[j] - (v - hi[j]) % (hi[j] - lo[j] || 1);
          trial[j] = Math.min(hi[j], Math.max(lo[j], v));
        } else trial[j] = pi[j];
      }
      const ct = evaluate(trial);
      if (ct <= costs[i]) {
        pi.set(trial);
        costs[i] = ct;
      }
    }
  }
  let bi = 0;
  for (let i = 1; i < np; i++) if (costs[i] < costs[bi]) bi = i;
  return { params: Float64Array.from(pop[bi]), cost: costs[bi], reason, generations: gen, evaluations };
}
