/**
 * Responsiveness made visible: a requestAnimationFrame loop counts frames (shown in the status
 * bar) and records the longest gap between two frames since the last `resetMaxGap()`. While the
 * worker calibrates, the page keeps painting; a fit on the main thread would show as a long gap.
 */
export class FrameMonitor {
  frames = 0;
  private last = 0;
  private maxGap = 0;

  constructor(private readonly counter: HTMLElement) {
    const tick = (t: number) => {
      if (this.last > 0) this.maxGap = Math.max(this.maxGap, t - this.last);
      this.last = t;
      this.frames++;
      if (this.frames % 5 === 0) this.counter.textContent = String(this.frames);
      this.counter.dataset.frames = String(this.frames);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  /** Start a new measurement window. */
  resetMaxGap(): void {
    this.maxGap = 0;
    this.last = 0;
  }

  /** Longest time between two frames (ms) since `resetMaxGap()`. */
  get maxGapMs(): number {
    return this.maxGap;
  }
}
