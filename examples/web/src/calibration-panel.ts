/**
 * Section 2: calibration in a Web Worker. One table row per expiry fills in as the worker posts
 * its fit; the progress bar counts expiries; Cancel terminates the worker (CalibrationClient).
 * When a run completes, the smiles (market bid/ask/mid and the fitted curve) are plotted.
 */
import { smileChart } from 'riskwasm/charts';
import type { CalibrationClient } from './calibration-client';
import type { FromWorker, ModelName, SliceFit, SliceQuotes } from './calibration-protocol';
import { clearChart, showChart } from './charts';
import { cell, expiryLabel, headerRow, num, pct } from './format';
import type { FrameMonitor } from './frame-monitor';

const PARAMS: Record<ModelName, string[]> = {
  svi: ['a', 'b', 'rho', 'm', 'sigma'],
  // SSVI's rho is one for the whole surface (in the summary line); per slice: theta, phi and the slice as raw SVI.
  ssvi: ['theta', 'phi', 'a', 'b', 'm', 'sigma'],
  heston: ['v0', 'kappa', 'theta', 'sigma', 'rho'],
};
const MODEL_LABEL: Record<ModelName, string> = { svi: 'SVI', ssvi: 'SSVI', heston: 'Heston' };

export class CalibrationPanel {
  private slices: SliceQuotes[] = [];
  private fits: SliceFit[] = [];
  private model: ModelName = 'svi';
  private startedAt = 0;
  private framesAtStart = 0;

  private readonly section = document.getElementById('calibration-section')!;
  private readonly table = document.getElementById('fit-table') as HTMLTableElement;
  private readonly status = document.getElementById('calibration-status')!;
  private readonly progress = document.getElementById('progress') as HTMLProgressElement;
  private readonly calibrateButton = document.getElementById('calibrate') as HTMLButtonElement;
  private readonly cancelButton = document.getElementById('cancel') as HTMLButtonElement;
  private readonly modelSelect = document.getElementById('model') as HTMLSelectElement;
  private readonly extraStarts = document.getElementById('extra-starts') as HTMLInputElement;
  private readonly summary = document.getElementById('fit-summary')!;
  private readonly chart = document.getElementById('smile-chart')!;

  constructor(private readonly client: CalibrationClient, private readonly frames: FrameMonitor) {
    this.calibrateButton.addEventListener('click', () => this.start());
    this.cancelButton.addEventListener('click', () => this.cancel());
  }

  /** A new surface: forget the previous fits. */
  setSurface(slices: SliceQuotes[], currency: string): void {
    if (this.client.running) this.cancel();
    this.slices = slices;
    this.fits = [];
    this.table.replaceChildren();
    this.summary.textContent = '';
    delete this.summary.dataset.rmse;
    delete this.section.dataset.completed;
    // Also drops a smile plot of the previous surface still rendering.
    clearChart(this.chart);
    this.setState('idle', `${slices.length} ${currency} expiries ready`);
    this.progress.value = 0;
    this.calibrateButton.disabled = slices.length === 0;
  }

  private setState(state: 'idle' | 'running' | 'done' | 'cancelled' | 'error', text: string): void {
    this.section.dataset.state = state;
    this.section.setAttribute('aria-busy', String(state === 'running'));
    this.status.textContent = text;
    this.status.className = state === 'error' ? 'bad' : '';
  }

  private start(): void {
    this.model = this.modelSelect.value as ModelName;
    const extraStarts = Math.max(0, Math.min(64, Math.round(Number(this.extraStarts.value) || 0)));
    // Show what runs: a value typed outside 0..64 (or not a number) is clamped, not ignored silently.
    this.extraStarts.value = String(extraStarts);
    this.fits = [];
    clearChart(this.chart);
    this.summary.textContent = '';
    delete this.summary.dataset.rmse;
    this.section.dataset.completed = '0';
    this.renderTable();
    this.progress.value = 0;
    this.progress.max = Math.max(1, this.slices.length);
    this.calibrateButton.disabled = true;
    this.cancelButton.disabled = false;
    this.startedAt = performance.now();
    this.framesAtStart = this.frames.frames;
    this.frames.resetMaxGap();
    this.setState('running', `starting ${MODEL_LABEL[this.model]}...`);
    void this.client.start({ model: this.model, slices: this.slices, extraStarts }, { onMessage: (m) => this.onMessage(m) });
  }

  private cancel(): void {
    this.client.cancel();
    this.recordResponsiveness();
    this.calibrateButton.disabled = this.slices.length === 0;
    this.cancelButton.disabled = true;
    this.markUnfinished('cancelled');
    this.setState('cancelled', `cancelled after ${this.fits.length} of ${this.slices.length} expiries (worker terminated and restarted)`);
    this.section.dataset.completed = String(this.fits.length);
  }

  /** Rows still pending or running: marked `cancelled` / `not fitted`. */
  private markUnfinished(status: 'cancelled' | 'not fitted'): void {
    this.table.querySelectorAll('tr.running, tr.pending').forEach((tr) => {
      tr.className = status === 'cancelled' ? 'cancelled' : 'failed';
      const s = tr.querySelector('[data-role=status]');
      if (s) s.textContent = status;
    });
  }

  /** How the page fared during the run: frames painted and the longest frame gap. */
  private recordResponsiveness(): void {
    this.section.dataset.elapsedMs = String(performance.now() - this.startedAt);
    this.section.dataset.framesDuring = String(this.frames.frames - this.framesAtStart);
    this.section.dataset.maxFrameGapMs = String(this.frames.maxGapMs);
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'progress': {
        const label = msg.index < 0 ? 'the whole surface (joint fit)' : `${expiryLabel(this.slices[msg.index].expiryDate)} (${msg.index + 1}/${msg.total})`;
        this.setState('running', `fitting ${label}...`);
        const rows = msg.index < 0 ? [...this.table.querySelectorAll('tr[data-index]')] : [this.table.querySelector(`tr[data-index="${msg.index}"]`)];
        for (const tr of rows) {
          if (!tr) continue;
          tr.className = 'running';
          tr.querySelector('[data-role=status]')!.textContent = 'fitting...';
        }
        break;
      }
      case 'slice':
        this.fits.push(msg.fit);
        this.progress.value = this.fits.length;
        this.section.dataset.completed = String(this.fits.length);
        this.fillRow(msg.fit);
        break;
      case 'done': {
        this.recordResponsiveness();
        this.cancelButton.disabled = true;
        this.calibrateButton.disabled = false;
        const s = msg.summary;
        const parts = Object.entries(s).map(([k, v]) => `${k} ${typeof v === 'number' ? (k === 'rmse' ? `${num(v, 4)} vol pts` : Number.isInteger(v) ? String(v) : num(v, 5)) : String(v)}`);
        this.summary.textContent = `${MODEL_LABEL[this.model]}: ${parts.join(', ')}. ${this.fits.length} expiries in ${num(msg.elapsedMs / 1000, 3)} s in the worker.`;
        if (typeof s.rmse === 'number') this.summary.dataset.rmse = String(s.rmse);
        this.setState('done', `done: ${this.fits.length} expiries, ${num(msg.elapsedMs, 4)} ms`);
        void this.plot();
        break;
      }
      case 'error':
        this.recordResponsiveness();
        this.cancelButton.disabled = true;
        this.calibrateButton.disabled = this.slices.length === 0;
        // The rows the run never reached must not stay "fitting..." / "pending".
        this.markUnfinished('not fitted');
        this.setState('error', `failed after ${this.fits.length} of ${this.slices.length} expiries: ${msg.message}`);
        console.error(`calibration failed: ${msg.message}`);
        break;
      default:
        break;
    }
  }

  private renderTable(): void {
    const names = PARAMS[this.model];
    this.table.replaceChildren(headerRow(['expiry', 'status', ...names, 'RMSE (vol pts)', 'max error', 'inside bid-ask', 'butterfly-free', 'reason', 'iterations', 'ms'], 2));
    this.slices.forEach((s, i) => {
      const tr = document.createElement('tr');
      tr.dataset.index = String(i);
      tr.dataset.testid = `fit-row-${i}`;
      tr.className = 'pending';
      const status = cell('pending', undefined, undefined, 'text');
      status.dataset.role = 'status';
      tr.append(cell(expiryLabel(s.expiryDate), undefined, undefined, 'text'), status);
      for (let c = 0; c < names.length + 7; c++) tr.append(cell(''));
      this.table.append(tr);
    });
  }

  private fillRow(f: SliceFit): void {
    const tr = this.table.querySelector(`tr[data-index="${f.index}"]`) as HTMLTableRowElement | null;
    if (!tr) return;
    tr.className = 'done';
    const names = PARAMS[f.model];
    const status = cell('done', undefined, undefined, 'text ok');
    status.dataset.role = 'status';
    const arb = f.arbitrageFree === null ? cell('-') : cell(f.arbitrageFree ? 'yes' : 'no', undefined, undefined, f.arbitrageFree ? 'ok' : 'bad');
    tr.replaceChildren(
      cell(expiryLabel(f.expiryDate), undefined, undefined, 'text'),
      status,
      ...names.map((p) => cell(num(f.params[p], 5), f.params[p], `fit-${f.index}-${p}`)),
      cell(num(f.rmse, 4), f.rmse, `fit-${f.index}-rmse`),
      cell(num(f.maxAbsError, 4), f.maxAbsError, `fit-${f.index}-max-error`),
      cell(f.insideBidAsk === null ? '-' : pct(f.insideBidAsk, 0), f.insideBidAsk ?? undefined, `fit-${f.index}-inside`),
      arb,
      cell(f.reason, undefined, `fit-${f.index}-reason`, 'text'),
      cell(String(f.iterations), f.iterations),
      cell(num(f.elapsedMs, 3), f.elapsedMs),
    );
  }

  private async plot(): Promise<void> {
    const model = MODEL_LABEL[this.model];
    const slices = this.fits.map((f) => {
      const q = this.slices[f.index];
      return {
        label: expiryLabel(f.expiryDate),
        points: Array.from(q.strikes, (strike, j) => ({ strike, bidIv: q.bids[j], askIv: q.asks[j], midIv: q.vols[j] })),
        fit: Array.from(f.curveStrikes, (strike, j) => ({ strike, iv: f.curveVols[j], model })),
      };
    });
    if (slices.length === 0) return;
    await showChart(this.chart, smileChart({ title: `${model} fits: market bid/ask (bars), mid (points), model (line)`, slices, columns: 4, width: 250, height: 170 }));
  }
}
