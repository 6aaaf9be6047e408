/**
 * A one-line progress bar for long work (epochs, iterations, downloads). It writes to stderr only,
 * and only when that stream is a terminal and `--quiet` is off; otherwise every method is a no-op, so
 * commands call it unconditionally and pipes and logs stay clean.
 */
import type { TextOut } from './command.js';

/** How to draw a progress bar. */
export interface ProgressOptions {
  /** Text before the bar, e.g. "epoch" or "conll2000/train.txt.gz". */
  readonly label: string;
  /** Amount of work in `unit`s; unknown totals draw a counter and rate without bar or ETA. */
  readonly total?: number;
  /** Unit of the counts: 'bytes' formats as kB/MB/GB; any other word is printed after the count. */
  readonly unit?: string;
  /** The stream to draw on (stderr). */
  readonly stream: TextOut;
  /** Draw at all (the CLI passes `stderr.isTTY && !quiet`). */
  readonly enabled: boolean;
  /** Milliseconds between redraws (default 100). */
  readonly intervalMs?: number;
  /** Clock in milliseconds (injected by tests). */
  readonly now?: () => number;
}

/** A progress bar handle. */
export interface ProgressBar {
  /** True when the bar actually draws. */
  readonly enabled: boolean;
  /** Sets the amount done so far. */
  update(done: number): void;
  /** Adds to the amount done. */
  tick(delta?: number): void;
  /** Changes the total (e.g. once a Content-Length is known). */
  setTotal(total: number | undefined): void;
  /** Erases the bar (call once the work is finished or failed). */
  done(): void;
}

/** Formats a count in `unit` ("1.4 MB" for bytes, "12 epochs" otherwise). */
export function formatAmount(n: number, unit: string | undefined): string {
  if (unit === 'bytes') {
    if (n < 1024) return `${Math.round(n)} B`;
    const units = ['kB', 'MB', 'GB', 'TB'];
    let v = n / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
  }
  const s = Number.isInteger(n) ? String(n) : n.toFixed(1);
  return unit ? `${s} ${unit}` : s;
}

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Renders one progress line (no control characters): label, bar and percentage when the total is
 * known, the counts, the rate and the ETA.
 */
export function renderProgress(
  label: string,
  done: number,
  total: number | undefined,
  unit: string | undefined,
  elapsedMs: number,
  width = 80,
): string {
  const secs = elapsedMs / 1000;
  const rate = secs > 0 ? done / secs : 0;
  const rateText = unit === 'bytes' ? `${formatAmount(rate, 'bytes')}/s` : `${rate.toFixed(rate < 10 ? 2 : 1)} ${unit ?? 'it'}/s`;
  if (total === undefined || total <= 0) {
    return `${label} ${formatAmount(done, unit)}  ${rateText}  ${formatDuration(secs)}`;
  }
  const frac = Math.min(1, Math.max(0, done / total));
  const eta = rate > 0 ? (total - done) / rate : NaN;
  const counts =
    unit === 'bytes' ? `${formatAmount(done, unit)}/${formatAmount(total, unit)}` : `${done}/${formatAmount(total, unit)}`;
  const tail = ` ${String(Math.floor(frac * 100)).padStart(3)}%  ${counts}  ${rateText}  ETA ${formatDuration(eta)}`;
  const barWidth = Math.max(10, Math.min(30, width - label.length - tail.length - 4));
  const filled = Math.round(frac * barWidth);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}

/** Creates a progress bar; inert (no output at all) when `enabled` is false. */
export function createProgress(options: ProgressOptions): ProgressBar {
  const { label, unit, stream, enabled } = options;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 100;
  let total = options.total;
  let done = 0;
  const start = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;
  const draw = (force: boolean): void => {
    if (!enabled || finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    const width = stream.columns || 80;
    const line = renderProgress(label, done, total, unit, t - start, width).slice(0, Math.max(20, width - 1));
    stream.write(`\r${line}\x1b[K`);
    drawn = true;
  };
  return {
    enabled,
    update(n: number) {
      done = n;
      draw(total !== undefined && done >= total);
    },
    tick(delta = 1) {
      done += delta;
      draw(total !== undefined && done >= total);
    },
    setTotal(t: number | undefined) {
      total = t;
    },
    done() {
      if (enabled && drawn && !finished) stream.write('\r\x1b[K');
      finished = true;
    },
  };
}
