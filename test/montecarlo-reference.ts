// Independent reference prices for the Monte Carlo tests: Heston and Bates European calls by
// Lewis's (2000) single-integral formula over the characteristic function,
//   C = S e^{-qT} - sqrt(S K) e^{-(r+q)T/2} / pi * int_0^inf Re[e^{i u k} phi(u - i/2)] / (u^2 + 1/4) du,
// k = ln(S/K) + (r - q) T, phi the characteristic function of ln(S_T/S_0) - (r - q) T. The Heston
// part uses the "little trap" form (Albrecher, Mayer, Schoutens, Tistaert, Wilmott Magazine 2007);
// Bates adds lambda T (exp(i u m - u^2 delta^2 / 2) - 1 - i u k_J). Integrated by 16-point
// Gauss-Legendre on unit panels up to u = 400. Checked against Lewis's 50-digit Heston values in
// test/montecarlo-jumps.test.ts before it is used for Bates.

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
const scale = (a: C, s: number): C => [a[0] * s, a[1] * s];
const cexp = (a: C): C => {
  const e = Math.exp(a[0]);
  return [e * Math.cos(a[1]), e * Math.sin(a[1])];
};
const clog = (a: C): C => [Math.log(Math.hypot(a[0], a[1])), Math.atan2(a[1], a[0])];
const csqrt = (a: C): C => {
  const r = Math.hypot(a[0], a[1]);
  const re = Math.sqrt((r + a[0]) / 2);
  const im = Math.sqrt(Math.max((r - a[0]) / 2, 0));
  return [re, a[1] < 0 ? -im : im];
};

export interface HestonParams {
  spot: number; rate: number; dividendYield?: number; v0: number; kappa: number; theta: number; sigma: number; rho: number;
  jumpIntensity?: number; jumpMean?: number; jumpVol?: number;
}

/** Characteristic function of ln(S_T/S_0) - (r - q) T at complex u. */
function logCf(u: C, T: number, p: HestonParams): C {
  const { kappa, theta, sigma, rho, v0 } = p;
  const iu: C = [-u[1], u[0]];
  const b = sub([kappa, 0], scale(iu, rho * sigma));
  const d = csqrt(add(mul(b, b), scale(add(iu, mul(u, u)), sigma * sigma)));
  const g = div(sub(b, d), add(b, d));
  const e = cexp(scale(d, -T));
  const one: C = [1, 0];
  const Cpart = scale(sub(scale(sub(b, d), T), scale(clog(div(sub(one, mul(g, e)), sub(one, g))), 2)), (kappa * theta) / (sigma * sigma));
  const Dpart = mul(scale(sub(b, d), 1 / (sigma * sigma)), div(sub(one, e), sub(one, mul(g, e))));
  let expo = add(Cpart, scale(Dpart, v0));
  const lambda = p.jumpIntensity ?? 0;
  if (lambda > 0) {
    const m = p.jumpMean ?? 0;
    const dl = p.jumpVol ?? 0;
    const kJ = Math.exp(m + 0.5 * dl * dl) - 1;
    const jump = sub(sub(cexp(add(scale(iu, m), scale(mul(u, u), -0.5 * dl * dl))), one), scale(iu, kJ));
    expo = add(expo, scale(jump, lambda * T));
  }
  return cexp(expo);
}

const GL_X = [-0.9894009349916499, -0.9445750230732326, -0.8656312023878318, -0.7554044083550030, -0.6178762444026438,
  -0.4580167776572274, -0.2816035507792589, -0.0950125098376374, 0.0950125098376374, 0.2816035507792589, 0.4580167776572274,
  0.6178762444026438, 0.7554044083550030, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499];
const GL_W = [0.0271524594117541, 0.0622535239386479, 0.0951585116824928, 0.1246289712555339, 0.1495959888165767,
  0.1691565193950025, 0.1826034150449236, 0.1894506104550685, 0.1894506104550685, 0.1826034150449236, 0.1691565193950025,
  0.1495959888165767, 0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541];

/** European call (or put by parity) under Heston, or Bates when jump parameters are given. */
export function hestonPrice(p: HestonParams, strike: number, expiry: number, type: 'call' | 'put'): number {
  const { spot: S, rate: r } = p;
  const q = p.dividendYield ?? 0;
  const k = Math.log(S / strike) + (r - q) * expiry;
  let integral = 0;
  for (let a = 0; a < 400; a++) {
    for (let i = 0; i < 16; i++) {
      const u = a + 0.5 + 0.5 * GL_X[i]!;
      const phi = logCf([u, -0.5], expiry, p);
      const re = mul(cexp([0, u * k]), phi)[0];
      integral += 0.5 * GL_W[i]! * re / (u * u + 0.25);
    }
  }
  const call = S * Math.exp(-q * expiry) - (Math.sqrt(S * strike) * Math.exp(-0.5 * (r + q) * expiry) * integral) / Math.PI;
  return type === 'call' ? call : call - S * Math.exp(-q * expiry) + strike * Math.exp(-r * expiry);
}

/** Parse the committed reference CSV (no quoted commas in the columns used). */
export function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const cols = head!.split(',');
  return lines.map((l) => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of l) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}
