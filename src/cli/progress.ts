/**
 * A progress bar on stderr, drawn only when stderr is a terminal (never into a pipe or a log
 * file, and never on stdout, which carries the results).
 */

/** Progress of one long job: `tick()` after each unit of work, `done()` at the end (clears the bar). */
export interface Progress {
  tick(units?: number, note?: string): void;
  done(): void;
}

const SILENT: Progress = { tick() {}, done() {} };

/** A bar of `total` units labelled `label`; a no-op when stderr is not a TTY or `enabled` is false. */
export function createProgress(label: string, total: number, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || !(total > 0)) return SILENT;
  let doneUnits = 0;
  let lastDraw = 0;
  const width = 24;
  const draw = (note = '') => {
    const f = Math.min(1, doneUnits / total);
    const filled = Math.round(f * width);
    const text = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${doneUnits}/${total}${note ? ` ${note}` : ''}`;
    const cols = process.stderr.columns ?? 80;
    process.stderr.write(`\r${text.slice(0, cols - 1)}\x1b[K`);
  };
  draw();
  return {
    tick(units = 1, note) {
      doneUnits += units;
      const t = Date.now();
      // Redraw at most ~20 times a second: terminals are slow, and the work is the point.
      if (t - lastDraw > 50 || doneUnits >= total) {
        lastDraw = t;
        draw(note);
      }
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
