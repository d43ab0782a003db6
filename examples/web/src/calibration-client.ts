/**
 * The page's side of the calibration worker: start a run, receive its messages, cancel it.
 *
 * Cancel terminates the worker (a fit inside one synchronous engine call cannot be interrupted
 * from outside) and starts a fresh one at once, so the next run does not wait. Messages of a
 * cancelled run can no longer arrive: they came from the terminated worker.
 */
import type { CalibrateRequest, FromWorker } from './calibration-protocol';

export interface RunHandlers {
  onMessage(msg: FromWorker): void;
}

export class CalibrationClient {
  private worker: Worker | null = null;
  private runId = 0;
  private active: RunHandlers | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** The current worker reported an error (it may be dead): the next start replaces it. */
  private failed = false;

  /** @param module the page's compiled kernels, posted to each worker (null: the JS twin). */
  constructor(private readonly module: WebAssembly.Module | null) {
    this.spawn();
  }

  /** The backend the current worker runs, once it has started. */
  backend: 'wasm' | 'js' | null = null;

  private spawn(): void {
    const worker = new Worker(new URL('./calibration-worker.ts', import.meta.url), { type: 'module', name: 'riskwasm-calibration' });
    this.worker = worker;
    this.backend = null;
    this.failed = false;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const msg = event.data;
        if (msg.type === 'ready') {
          this.backend = msg.backend;
          resolve();
          return;
        }
        if ('runId' in msg && msg.runId === this.runId && this.active) {
          this.active.onMessage(msg);
          if (msg.type === 'done' || msg.type === 'error') this.active = null;
        }
      };
      worker.onerror = (event) => {
        const message = `worker failed: ${event.message || 'could not load the calibration worker'}`;
        this.failed = true;
        reject(new Error(message));
        if (this.active) {
          this.active.onMessage({ type: 'error', runId: this.runId, message });
          this.active = null;
        }
      };
    });
    // Handled in start(); without this, a worker that fails while idle is an unhandled rejection.
    this.ready.catch(() => {});
    worker.postMessage({ type: 'init', module: this.module });
  }

  /** True while a run has started and neither finished nor been cancelled. */
  get running(): boolean {
    return this.active !== null;
  }

  /**
   * Start a run (cancelling any run in progress). Never rejects: a worker that failed to start
   * ends the run with an `error` message, and the next start gets a fresh worker.
   */
  async start(request: Omit<CalibrateRequest, 'type' | 'runId'>, handlers: RunHandlers): Promise<void> {
    if (this.active || this.failed) this.cancel();
    const runId = ++this.runId;
    this.active = handlers;
    try {
      await this.ready;
    } catch (e) {
      // onerror already ended a run that was active when the worker failed; this one started after.
      if (runId === this.runId && this.active === handlers) {
        this.active = null;
        handlers.onMessage({ type: 'error', runId, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    if (runId !== this.runId) return; // cancelled while the worker was starting
    this.worker!.postMessage({ type: 'calibrate', runId, ...request } satisfies CalibrateRequest);
  }

  /** Stop the run in progress now: terminate the worker and start a fresh one. */
  cancel(): void {
    this.runId++;
    this.active = null;
    this.worker?.terminate();
    this.spawn();
  }
}
