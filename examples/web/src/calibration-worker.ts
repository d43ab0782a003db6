/**
 * The calibration worker: fits SVI / SSVI / Heston to the surface off the page's main thread and
 * posts each expiry's fit as soon as it is done. It builds its engine synchronously from the
 * WebAssembly.Module the page already compiled (createEngineSync), so nothing is fetched twice.
 *
 * Cancel is the page terminating this worker (a synchronous fit cannot be interrupted from
 * outside); the page then starts a fresh one. Between expiries the worker also yields to its
 * event loop, so progress messages leave promptly.
 */
import { createEngineSync, sviTotalVariance, type Engine, type SviParams } from 'riskwasm';
import type { CalibrateRequest, FromWorker, SliceFit, SliceQuotes, ToWorker } from './calibration-protocol';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let engine: Engine | null = null;

const CURVE_POINTS = 61;

/** Log-spaced strikes spanning the quoted strikes (5% beyond each end). */
function curveStrikes(s: SliceQuotes): Float64Array {
  const lo = Math.log(s.strikes[0] * 0.95), hi = Math.log(s.strikes[s.strikes.length - 1] * 1.05);
  return Float64Array.from({ length: CURVE_POINTS }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (CURVE_POINTS - 1)));
}

/** Implied vol of raw SVI total variance w(k) at T; NaN where w <= 0. */
function sviCurve(p: SviParams, s: SliceQuotes, strikes: Float64Array): Float64Array {
  const F = s.forwards[0];
  return strikes.map((K) => {
    const w = sviTotalVariance(p, Math.log(K / F)).w;
    return w > 0 ? Math.sqrt(w / s.expiry) : NaN;
  });
}

function quotesOf(s: SliceQuotes) {
  return { strikes: s.strikes, expiries: s.expiries, types: s.types, vols: s.vols, bids: s.bids, asks: s.asks, weights: s.weights };
}

function fitSviSlice(e: Engine, s: SliceQuotes, index: number, extraStarts: number): SliceFit {
  const r = e.fitSvi({ forwards: s.forwards, quotes: quotesOf(s), extraStarts });
  const f = r.slices[0];
  const strikes = curveStrikes(s);
  return {
    index, expiry: s.expiry, expiryDate: s.expiryDate, model: 'svi', params: { ...f.params },
    rmse: f.rmse, maxAbsError: f.maxAbsError, insideBidAsk: f.insideBidAsk ?? null, reason: f.reason,
    iterations: f.iterations, elapsedMs: f.elapsedMs, arbitrageFree: f.butterfly.arbitrageFree,
    curveStrikes: strikes, curveVols: sviCurve(f.params, s, strikes),
  };
}

function fitHestonSlice(e: Engine, s: SliceQuotes, index: number, extraStarts: number): SliceFit {
  const r = e.calibrateHeston({ forwards: s.forwards, quotes: quotesOf(s), extraStarts });
  const strikes = curveStrikes(s);
  const F = s.forwards[0];
  // Out-of-the-money types, as the quotes: their implied vols are the well-conditioned ones.
  const types = Array.from(strikes, (K) => (K >= F ? 'call' : 'put') as 'call' | 'put');
  const { price } = e.hestonPrice({ forwards: F, strikes, expiries: s.expiry, types, params: r.params });
  const { vols } = e.impliedVol({ prices: price, forwards: F, strikes, expiries: s.expiry, types });
  return {
    index, expiry: s.expiry, expiryDate: s.expiryDate, model: 'heston', params: { ...r.params },
    rmse: r.rmse, maxAbsError: r.maxAbsError, insideBidAsk: r.insideBidAsk ?? null, reason: r.reason,
    iterations: r.iterations, elapsedMs: r.elapsedMs, arbitrageFree: null, curveStrikes: strikes, curveVols: vols,
  };
}

/** Concatenate the slices back into one quote set (SSVI fits the whole surface jointly). */
function concat(slices: SliceQuotes[]): { forwards: Float64Array; quotes: ReturnType<typeof quotesOf> } {
  const cat = (pick: (s: SliceQuotes) => Float64Array) => {
    const out = new Float64Array(slices.reduce((n, s) => n + s.strikes.length, 0));
    let o = 0;
    for (const s of slices) {
      out.set(pick(s), o);
      o += s.strikes.length;
    }
    return out;
  };
  return {
    forwards: cat((s) => s.forwards),
    quotes: {
      strikes: cat((s) => s.strikes), expiries: cat((s) => s.expiries), types: slices.flatMap((s) => s.types),
      vols: cat((s) => s.vols), bids: cat((s) => s.bids), asks: cat((s) => s.asks), weights: cat((s) => s.weights),
    },
  };
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

async function calibrate(req: CalibrateRequest): Promise<void> {
  const e = engine!;
  const { runId, model, slices } = req;
  const t0 = performance.now();
  scope.postMessage({ type: 'start', runId, model, total: slices.length });
  const fits: SliceFit[] = [];
  let summary: Record<string, number | string | boolean> = {};
  if (model === 'ssvi') {
    scope.postMessage({ type: 'progress', runId, index: -1, total: slices.length });
    const r = e.fitSsvi({ ...concat(slices), extraStarts: req.extraStarts });
    r.slices.forEach((f, index) => {
      const s = slices[index];
      const strikes = curveStrikes(s);
      fits.push({
        index, expiry: s.expiry, expiryDate: s.expiryDate, model: 'ssvi', params: { theta: f.theta, phi: f.phi, ...f.svi },
        rmse: f.rmse, maxAbsError: f.maxAbsError, insideBidAsk: f.insideBidAsk ?? null, reason: r.reason,
        iterations: r.iterations, elapsedMs: r.elapsedMs, arbitrageFree: f.butterfly.arbitrageFree,
        curveStrikes: strikes, curveVols: sviCurve(f.svi, s, strikes),
      });
    });
    for (const fit of fits) scope.postMessage({ type: 'slice', runId, fit });
    summary = {
      rho: r.params.rho, ...(r.params.eta !== undefined ? { eta: r.params.eta } : {}), ...(r.params.gamma !== undefined ? { gamma: r.params.gamma } : {}),
      rmse: r.rmse, reason: r.reason, calendarFree: r.arbitrage.calendarFree, butterflyFree: r.arbitrage.butterflyFree,
    };
  } else {
    const fitOne: (e: Engine, s: SliceQuotes, i: number, x: number) => SliceFit = model === 'svi' ? fitSviSlice : fitHestonSlice;
    for (let i = 0; i < slices.length; i++) {
      scope.postMessage({ type: 'progress', runId, index: i, total: slices.length });
      await yieldToEventLoop();
      const fit = fitOne(e, slices[i], i, req.extraStarts);
      fits.push(fit);
      scope.postMessage({ type: 'slice', runId, fit });
    }
    // Pooled over the slices: every surface quote has a positive weight, so each counts in its slice's RMSE.
    const n = slices.reduce((a, s) => a + s.strikes.length, 0);
    const ss = fits.reduce((a, f, i) => a + f.rmse * f.rmse * slices[i].strikes.length, 0);
    summary = { rmse: Math.sqrt(ss / n), slices: fits.length, converged: fits.filter((f) => f.reason === 'converged').length };
  }
  scope.postMessage({ type: 'done', runId, elapsedMs: performance.now() - t0, summary });
}

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    engine = createEngineSync(msg.module);
    scope.postMessage({ type: 'ready', backend: engine.backend });
    return;
  }
  if (msg.type === 'calibrate') {
    calibrate(msg).catch((err: unknown) => {
      scope.postMessage({ type: 'error', runId: msg.runId, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    });
  }
};
