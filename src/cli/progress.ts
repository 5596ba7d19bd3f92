/**
 * The per-epoch progress bar:
 *   Epoch 3/10 [=========>      ] 4800/8000  12,345 samples/s  loss 0.2311  acc 93.1%  ETA 2s
 * On a terminal it is redrawn in place with \r; when the stream is a file or a pipe (CI logs, `| tee`),
 * redrawing would leave hundreds of lines of noise, so only an occasional line (for long epochs) and the
 * final per-epoch line are written.
 */

/** The part of a Node stream this needs; a fake in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressMetrics {
  /** Mean loss so far in this epoch. */
  loss?: number;
  /** Accuracy so far in this epoch, as a fraction in [0, 1]. */
  accuracy?: number;
}

export interface EpochSummary {
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Name of the held-out set in the final line (default "val"; the CLI passes "test" when it is). */
  valName?: string;
  /** Anything else for the end of the line, e.g. "best". */
  note?: string;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Largest bar width in characters (default 30); narrower when the terminal is, down to 10. */
  barWidth?: number;
  /** Minimum ms between redraws on a TTY (default 80): redrawing per batch would cost more than the batch. */
  redrawMs?: number;
  /** Minimum ms between progress lines when not a TTY (default 15 s). */
  logEveryMs?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

/** "12,345": thousands separators regardless of the user's locale, so logs compare across machines. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 2.4s, 12s, 1m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const pct = (a: number) => `${(a * 100).toFixed(1)}%`;
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly barWidth: number;
  private readonly redrawMs: number;
  private readonly logEveryMs: number;
  private readonly now: () => number;
  private epoch = 0;
  private epochs = 0;
  private total = 0;
  private done = 0;
  private metrics: ProgressMetrics = {};
  private started = 0;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.barWidth = options.barWidth ?? 30;
    this.redrawMs = options.redrawMs ?? 80;
    this.logEveryMs = options.logEveryMs ?? 15000;
    this.now = options.now ?? (() => performance.now());
  }

  start(epoch: number, epochs: number, total: number): void {
    this.epoch = epoch;
    this.epochs = epochs;
    this.total = total;
    this.done = 0;
    this.metrics = {};
    this.started = this.now();
    this.lastDraw = this.tty ? -Infinity : this.started;
    this.drawn = false;
    if (this.tty) this.draw();
  }

  /** `done` samples of `total` are through; cheap to call every batch (drawing is throttled). */
  update(done: number, metrics: ProgressMetrics = {}): void {
    this.done = Math.min(done, this.total);
    this.metrics = { ...this.metrics, ...metrics };
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw >= this.redrawMs || this.done === this.total) this.draw();
    } else if (t - this.lastDraw >= this.logEveryMs && this.done < this.total) {
      this.stream.write(this.line() + '\n');
      this.lastDraw = t;
    }
  }

  /** Replaces the bar by the epoch's final line, with the held-out metrics if given. Returns that line. */
  end(summary: EpochSummary = {}): string {
    const seconds = (this.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const w = String(this.epochs).length;
    const parts = [`Epoch ${String(this.epoch).padStart(w)}/${this.epochs}`, `${formatDuration(seconds)}`, `${formatCount(rate)} samples/s`];
    const loss = summary.loss ?? this.metrics.loss;
    const acc = summary.accuracy ?? this.metrics.accuracy;
    if (loss !== undefined) parts.push(`loss ${num(loss)}`);
    if (acc !== undefined) parts.push(`acc ${pct(acc)}`);
    const v = summary.valName ?? 'val';
    if (summary.valLoss !== undefined) parts.push(`${v}_loss ${num(summary.valLoss)}`);
    if (summary.valAccuracy !== undefined) parts.push(`${v}_acc ${pct(summary.valAccuracy)}`);
    if (summary.note) parts.push(summary.note);
    const line = parts.join('  ');
    // \x1b[K clears what is left of the longer bar line on the terminal.
    this.stream.write(this.tty && this.drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
    this.drawn = false;
    return line;
  }

  /** The bar line for the current state (without control characters). */
  line(): string {
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const tw = String(this.total).length;
    const w = String(this.epochs).length;
    const parts: string[] = [];
    // Until some samples are through there is no rate, and an ETA from it would be nonsense.
    if (this.done > 0 && elapsed > 0) parts.push(`${formatCount(rate)} samples/s`);
    if (this.metrics.loss !== undefined) parts.push(`loss ${num(this.metrics.loss)}`);
    if (this.metrics.accuracy !== undefined) parts.push(`acc ${pct(this.metrics.accuracy)}`);
    if (this.done > 0 && elapsed > 0 && this.done < this.total) parts.push(`ETA ${formatDuration((this.total - this.done) / rate)}`);
    const head = `Epoch ${String(this.epoch).padStart(w)}/${this.epochs}`;
    const count = `${String(this.done).padStart(tw)}/${this.total}`;
    const rest = parts.length ? `  ${parts.join('  ')}` : '';
    // A line wider than the terminal wraps, and \r then redraws only its last row: shrink the bar to fit,
    // and cut the tail as a last resort.
    const columns = this.stream.columns;
    const fixed = head.length + count.length + rest.length + 4; // ' [' + '] '
    const width = columns ? Math.max(10, Math.min(this.barWidth, columns - 1 - fixed)) : this.barWidth;
    const frac = this.total > 0 ? this.done / this.total : 0;
    const filled = Math.floor(frac * width);
    const bar = frac >= 1 ? '='.repeat(width) : '='.repeat(filled) + '>' + ' '.repeat(width - filled - 1);
    const line = `${head} [${bar}] ${count}${rest}`;
    return columns && this.tty && line.length > columns - 1 ? line.slice(0, columns - 1) : line;
  }

  private draw(): void {
    this.stream.write(`\r${this.line()}\x1b[K`);
    this.lastDraw = this.now();
    this.drawn = true;
  }
}
