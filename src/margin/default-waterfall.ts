/**
 * Default waterfall of a clearing house or venue, and the cover-2 default-fund size.
 *
 * In each stress scenario, members default (those whose stress loss exceeds their margin, a chosen
 * set, or the cover-2 set) and the losses of closing out their portfolios run through the layers
 * in the order of CPMI-IOSCO PFMI principles 4 and 7 and EMIR art. 45:
 *  1. each defaulter's own margin (covers only its own loss; any excess returns to its estate),
 *  2. each defaulter's own default-fund contribution (likewise),
 *  3. the venue's dedicated own capital ("skin in the game"; EMIR art. 45(4)),
 *  4. the surviving members' default-fund contributions, pro rata to their contributions,
 *  5. assessments on survivors (optional: a multiple of each survivor's contribution, pro rata),
 *  6. variation-margin gains haircutting: survivors' gains in the scenario, haircut pro rata,
 * and what is left is the residual uncovered loss. Every layer takes min(what is left, what it has),
 * so loss = sum of layer usage + residual (up to rounding).
 *
 * Cover 2 (PFMI principle 4, key consideration 4, for systemically important CCPs): per scenario,
 * the exposure of a group of affiliated members is sum over its members of max(0, stress loss -
 * margin); the cover-2 requirement is the largest, over scenarios, of the sum of the two largest
 * group exposures (cover 1: the largest one).
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { dict } from '../data-tables.js';

/** A clearing member. Amounts in USD. */
export interface WaterfallMember {
  id: string;
  /** Initial margin posted (>= 0). */
  margin: number;
  /** Default-fund contribution (>= 0). */
  defaultFund: number;
  /**
   * Loss of closing out the member's portfolio per stress scenario (positive = loss, negative =
   * gain), e.g. minus the worst-scenario P&L of a portfolio-margin run; one number = one scenario.
   */
  stressLoss: number | readonly number[];
  /** Affiliates share a group (default: the member's id); cover 2 counts groups. */
  group?: string;
}

/** Which members default in each scenario. */
export type DefaulterRule = 'marginShortfall' | 'cover2' | readonly string[];

/** Options of {@link defaultWaterfall}. */
export interface DefaultWaterfallArgs {
  members: readonly WaterfallMember[];
  /** The venue's dedicated capital in the waterfall (USD, >= 0). */
  skinInTheGame: number;
  /** Scenario names (default 'scenario 0', ...). */
  scenarios?: readonly string[];
  /**
   * 'marginShortfall' (default): members whose stress loss exceeds their margin; 'cover2': every
   * member of the two groups with the largest exposure; or a list of member ids.
   */
  defaulters?: DefaulterRule;
  /** Survivors' assessment capacity as a multiple of their contribution (default 0: no assessments). */
  assessmentMultiple?: number;
  /** Apply variation-margin gains haircutting (default true). */
  variationMarginGainsHaircut?: boolean;
}

/** The layers, in waterfall order. */
export const WATERFALL_LAYERS = [
  'defaulterMargin', 'defaulterDefaultFund', 'skinInTheGame', 'survivorDefaultFund', 'assessments', 'variationMarginGainsHaircut',
] as const;

export type WaterfallLayer = (typeof WATERFALL_LAYERS)[number];

/** How much of one layer a scenario used. */
export interface LayerUsage {
  layer: WaterfallLayer;
  /** Resources the layer had in this scenario (USD). */
  available: number;
  used: number;
  /** Usage per member (the defaulter's own resources, or survivors' pro-rata shares); empty for skin in the game. */
  byMember: Record<string, number>;
}

/** One scenario through the waterfall. */
export interface ScenarioWaterfall {
  scenario: string;
  defaulters: string[];
  /** Sum of the defaulters' positive stress losses (USD). */
  loss: number;
  layers: LayerUsage[];
  /** Loss left after every layer (USD, >= 0). */
  residual: number;
  /** The last layer the loss reached (fully covered there), 'uncovered' when a residual remains, 'noLoss' when nothing was lost. */
  stoppedAt: WaterfallLayer | 'uncovered' | 'noLoss';
}

/** Cover-1 / cover-2 default-fund sizes. */
export interface CoverSize {
  /** max over scenarios of the two largest group exposures (USD). */
  size: number;
  scenario: string;
  /** The groups that set it, largest first, with their exposures. */
  groups: { group: string; exposure: number }[];
  /** max over scenarios of the largest group exposure. */
  cover1: number;
  cover1Scenario: string;
  cover1Group: string;
}

/** Result of {@link defaultWaterfall}. */
export interface DefaultWaterfallResult {
  scenarios: ScenarioWaterfall[];
  /** Index of the scenario with the largest residual (ties: the largest loss). */
  worstScenario: number;
  cover2: CoverSize;
  /** Total funded default fund, and whether it covers the cover-2 requirement. */
  defaultFund: { total: number; coversCover2: boolean; shortfall: number };
}

function amount(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(path, v, 'a finite USD amount >= 0');
  return v;
}

/** Most stress scenarios a waterfall takes (2^24). */
const MAX_SCENARIOS = 2 ** 24;

/** Stress losses as a member x scenario table, validated. */
function lossTable(members: readonly WaterfallMember[], scenarioNames?: readonly string[]): { losses: Float64Array[]; m: number } {
  let m = -1;
  const losses = members.map((mb, i) => {
    const v = mb.stressLoss;
    const row = typeof v === 'number' ? [v] : v;
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') throw new InputError(`members[${i}].stressLoss`, v, 'a number or an array of losses per scenario');
    // A bound on the length: `{ length: 1e10 }` must not exhaust memory.
    if (!(Number.isSafeInteger(row.length) && row.length >= 0 && row.length <= MAX_SCENARIOS)) {
      throw new InputError(`members[${i}].stressLoss.length`, row.length, `a whole number of scenarios <= ${MAX_SCENARIOS}`);
    }
    if (m < 0) m = row.length;
    if (row.length !== m || m === 0) throw new InputError(`members[${i}].stressLoss`, v, `${m || 'at least 1'} losses (one per scenario, as members[0])`);
    return Float64Array.from(row, (x, s) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`members[${i}].stressLoss[${s}]`, x, 'a finite USD loss');
      return x;
    });
  });
  if (scenarioNames !== undefined && (!Array.isArray(scenarioNames) || scenarioNames.length !== m)) {
    throw new InputError('scenarios', scenarioNames, `${m} scenario names`);
  }
  scenarioNames?.forEach((name, s) => {
    if (typeof name !== 'string' || name === '') throw new InputError(`scenarios[${s}]`, name, 'a non-empty scenario name');
  });
  return { losses, m };
}

/** Pro-rata use of a pooled layer: min(left, sum of capacities), shared in proportion to capacity. */
function pooled(layer: WaterfallLayer, capacity: Map<string, number>, left: number): LayerUsage {
  let available = 0;
  for (const c of capacity.values()) available += c;
  const used = Math.min(left, available);
  const byMember = dict<number>(); // member ids are data
  if (used > 0) for (const [id, c] of capacity) if (c > 0) byMember[id] = (used * c) / available;
  return { layer, available, used, byMember };
}

const WATERFALL_KEYS = [
  'members', 'skinInTheGame', 'scenarios', 'defaulters', 'assessmentMultiple', 'variationMarginGainsHaircut',
] as const satisfies readonly (keyof DefaultWaterfallArgs)[];
const MEMBER_KEYS = ['id', 'margin', 'defaultFund', 'stressLoss', 'group'] as const satisfies readonly (keyof WaterfallMember)[];

/**
 * Run every stress scenario through the default waterfall and size the cover-2 default fund (see
 * the file comment for the layers and the rule).
 * @example
 * defaultWaterfall({ skinInTheGame: 10, members: [
 *   { id: 'A', margin: 100, defaultFund: 20, stressLoss: 200 },
 *   { id: 'B', margin: 50, defaultFund: 30, stressLoss: -40 } ] })
 * // A defaults: margin 100, its fund 20, skin 10, B's fund 30, VM gains haircut 40; residual 0
 * @throws InputError for a malformed member, mismatched scenario counts, a scenario name that is not a
 * non-empty string, a non-boolean variationMarginGainsHaircut, duplicate ids or an unknown defaulter.
 */
export function defaultWaterfall(args: DefaultWaterfallArgs): DefaultWaterfallResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, WATERFALL_KEYS, '');
  const members = args.members;
  if (!Array.isArray(members) || members.length === 0) throw new InputError('members', members, 'a non-empty array of members');
  const ids = new Set<string>();
  members.forEach((mb, i) => {
    if (mb === null || typeof mb !== 'object') throw new InputError(`members[${i}]`, mb, 'a member { id, margin, defaultFund, stressLoss }');
    checkKeys(mb, MEMBER_KEYS, `members[${i}]`);
    if (typeof mb.id !== 'string' || mb.id === '') throw new InputError(`members[${i}].id`, mb.id, 'a non-empty string');
    if (ids.has(mb.id)) throw new InputError(`members[${i}].id`, mb.id, 'a unique member id');
    ids.add(mb.id);
    amount(mb.margin, `members[${i}].margin`);
    amount(mb.defaultFund, `members[${i}].defaultFund`);
    if (mb.group !== undefined && typeof mb.group !== 'string') throw new InputError(`members[${i}].group`, mb.group, 'a group name');
  });
  const sitg = amount(args.skinInTheGame, 'skinInTheGame');
  const multiple = args.assessmentMultiple === undefined ? 0 : amount(args.assessmentMultiple, 'assessmentMultiple');
  const vmgh = args.variationMarginGainsHaircut === undefined ? true : args.variationMarginGainsHaircut;
  // A string such as 'no' is truthy: only a real boolean may switch the layer.
  if (typeof vmgh !== 'boolean') throw new InputError('variationMarginGainsHaircut', vmgh, 'a boolean (default true)');
  const { losses, m } = lossTable(members, args.scenarios);
  const names = args.scenarios ? [...args.scenarios] : Array.from({ length: m }, (_, s) => `scenario ${s}`);
  const rule = args.defaulters ?? 'marginShortfall';
  if (Array.isArray(rule)) rule.forEach((id, k) => { if (!ids.has(id)) throw new InputError(`defaulters[${k}]`, id, 'a member id'); });
  else if (rule !== 'marginShortfall' && rule !== 'cover2') throw new InputError('defaulters', rule, "'marginShortfall', 'cover2' or a list of member ids");

  const groupOf = members.map((mb) => mb.group ?? mb.id);
  // Group exposures per scenario: sum of members' losses net of margin, floored at 0 per member.
  const exposures = (s: number) => {
    const g = new Map<string, number>();
    members.forEach((mb, i) => g.set(groupOf[i], (g.get(groupOf[i]) ?? 0) + Math.max(0, losses[i][s] - mb.margin)));
    return [...g].map(([group, exposure]) => ({ group, exposure })).sort((a, b) => b.exposure - a.exposure);
  };

  let best: CoverSize = { size: -1, scenario: names[0], groups: [], cover1: -1, cover1Scenario: names[0], cover1Group: '' };
  const scenarios: ScenarioWaterfall[] = [];
  for (let s = 0; s < m; s++) {
    const ex = exposures(s);
    const top2 = ex.slice(0, 2);
    const c2 = top2.reduce((t, x) => t + x.exposure, 0);
    if (c2 > best.size) best = { ...best, size: c2, scenario: names[s], groups: top2 };
    if (ex[0].exposure > best.cover1) best = { ...best, cover1: ex[0].exposure, cover1Scenario: names[s], cover1Group: ex[0].group };

    let isDefaulter: (i: number) => boolean;
    if (Array.isArray(rule)) isDefaulter = (i) => rule.includes(members[i].id);
    else if (rule === 'cover2') {
      const gs = new Set(top2.filter((x) => x.exposure > 0).map((x) => x.group));
      isDefaulter = (i) => gs.has(groupOf[i]);
    } else isDefaulter = (i) => losses[i][s] > members[i].margin;
    const def: number[] = [], surv: number[] = [];
    members.forEach((_, i) => (isDefaulter(i) ? def : surv).push(i));

    // Layers 1-2: each defaulter's own resources against its own loss.
    const own = (layer: WaterfallLayer, res: (i: number) => number, left: Map<number, number>): LayerUsage => {
      const byMember = dict<number>();
      let available = 0, used = 0;
      for (const i of def) {
        const r = res(i);
        const u = Math.min(left.get(i) as number, r);
        available += r;
        used += u;
        left.set(i, (left.get(i) as number) - u);
        if (u > 0) byMember[members[i].id] = u;
      }
      return { layer, available, used, byMember };
    };
    const leftByDefaulter = new Map(def.map((i) => [i, Math.max(0, losses[i][s])]));
    let loss = 0;
    for (const v of leftByDefaulter.values()) loss += v;
    const layers: LayerUsage[] = [];
    layers.push(own('defaulterMargin', (i) => members[i].margin, leftByDefaulter));
    layers.push(own('defaulterDefaultFund', (i) => members[i].defaultFund, leftByDefaulter));
    let left = 0;
    for (const v of leftByDefaulter.values()) left += v;
    const sitgUsed = Math.min(left, sitg);
    layers.push({ layer: 'skinInTheGame', available: sitg, used: sitgUsed, byMember: dict<number>() });
    left -= sitgUsed;
    const pool = (layer: WaterfallLayer, cap: (i: number) => number) => {
      const u = pooled(layer, new Map(surv.map((i) => [members[i].id, cap(i)])), left);
      left -= u.used;
      layers.push(u);
    };
    pool('survivorDefaultFund', (i) => members[i].defaultFund);
    pool('assessments', (i) => multiple * members[i].defaultFund);
    pool('variationMarginGainsHaircut', (i) => (vmgh ? Math.max(0, -losses[i][s]) : 0));
    // Each layer used min(left, available), so `left` is exactly what no layer could cover.
    const residual = left;
    const reached = [...layers].reverse().find((l) => l.used > 0)?.layer;
    const stoppedAt = loss === 0 ? 'noLoss' : residual > 0 ? 'uncovered' : (reached as WaterfallLayer);
    scenarios.push({ scenario: names[s], defaulters: def.map((i) => members[i].id), loss, layers, residual, stoppedAt });
  }
  let worst = 0;
  scenarios.forEach((sc, s) => {
    const w = scenarios[worst];
    if (sc.residual > w.residual || (sc.residual === w.residual && sc.loss > w.loss)) worst = s;
  });
  const total = members.reduce((t, mb) => t + mb.defaultFund, 0);
  return {
    scenarios, worstScenario: worst, cover2: best,
    defaultFund: { total, coversCover2: total >= best.size, shortfall: Math.max(0, best.size - total) },
  };
}
