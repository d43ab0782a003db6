// @ts-check
// Length expressions of spec/kernels.json ("n", "8 * n", "(maxPanels * 14 + 2) * nNodes",
// "LIQ_PROB_COLUMNS * nProblems"): integers, names, + - * and parentheses. A parser of its own,
// not eval: the spec stays data, and a test can list the names an expression reads.

/**
 * Parse a length expression into a function of its names.
 * @param {string} text the expression
 * @returns {{ names: string[], evaluate: (scope: Record<string, number>) => number }}
 * @throws Error naming the expression when it is not well formed
 */
export function parseLength(text) {
  const tokens = text.match(/\s*(\d+|[A-Za-z_]\w*|[-+*()]|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  /** @type {Set<string>} */
  const names = new Set();
  const fail = (/** @type {string} */ why) => { throw new Error(`length expression "${text}": ${why}`); };
  /** @returns {(s: Record<string, number>) => number} */
  const primary = () => {
    const t = tokens[i++];
    if (t === undefined) fail('ends early');
    if (t === '(') {
      const inner = sum();
      if (tokens[i++] !== ')') fail('a ( without its )');
      return inner;
    }
    if (/^\d+$/.test(t)) { const v = Number(t); return () => v; }
    if (/^[A-Za-z_]\w*$/.test(t)) {
      names.add(t);
      return (s) => {
        const v = s[t];
        if (typeof v !== 'number') throw new Error(`length expression "${text}": ${t} is not in scope`);
        return v;
      };
    }
    return fail(`unexpected "${t}"`);
  };
  const product = () => {
    let f = primary();
    while (tokens[i] === '*') { i++; const a = f, b = primary(); f = (s) => a(s) * b(s); }
    return f;
  };
  const sum = () => {
    let f = product();
    while (tokens[i] === '+' || tokens[i] === '-') {
      const op = tokens[i++], a = f, b = product();
      f = op === '+' ? (s) => a(s) + b(s) : (s) => a(s) - b(s);
    }
    return f;
  };
  const f = sum();
  if (i !== tokens.length) fail(`unexpected "${tokens[i]}"`);
  return { names: [...names], evaluate: f };
}
