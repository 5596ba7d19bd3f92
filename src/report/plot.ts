/**
 * Training curves as a standalone SVG (no dependencies, opens in any browser and renders on GitHub), styled
 * after matplotlib's defaults so it looks like the lecture's `plt.plot(history.history["loss"])`: loss per
 * epoch on the left, accuracy per epoch on the right, train in blue and validation/test in orange.
 */

export interface History {
  loss: number[];
  accuracy?: number[];
  valLoss?: number[];
  valAccuracy?: number[];
}

export interface PlotOptions {
  /** Total width and height in pixels (default 960 × 400). */
  width?: number;
  height?: number;
  /** Line above both panels, e.g. "784-128-10 relu · adam · webgpu". */
  title?: string;
  /** Legend name of the held-out series (default "validation"; the CLI passes "test" when that is what it is). */
  valLabel?: string;
  /** Label of the x axis (default "epoch"; the demo's live chart plots progress ticks). */
  xLabel?: string;
}

const TRAIN_COLOR = '#1f77b4'; // matplotlib tab:blue
const VAL_COLOR = '#ff7f0e'; // matplotlib tab:orange
const FONT = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif"`;

interface Series {
  name: string;
  color: string;
  values: number[];
  dashed?: boolean;
}

/** Escapes text for SVG element content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rounds to a fixed number of decimals without trailing float noise (0.30000000000000004 → "0.3"). */
function fmt(v: number, step: number): string {
  // As many decimals as the step needs (0.025 → 3), so every tick label is distinct and exact.
  let decimals = 0;
  while (decimals < 10 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6 * 10 ** decimals) decimals++;
  return v.toFixed(decimals);
}

/** "Nice" tick values (1, 2, 2.5 or 5 × 10^k) covering [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): { ticks: number[]; step: number; lo: number; hi: number } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return { ticks, step, lo, hi };
}

/** One panel: frame, grid, ticks, axis labels, the series and a legend. */
function panel(
  x0: number, y0: number, w: number, h: number,
  opts: { title: string; yLabel: string; xLabel: string; series: Series[]; epochs: number; legendBottom: boolean; percent: boolean },
): string {
  const m = { left: 62, right: 14, top: 30, bottom: 46 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const px = x0 + m.left;
  const py = y0 + m.top;

  const finite = opts.series.flatMap((s) => s.values.filter(Number.isFinite));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  // matplotlib's 5% margin, so the extreme points are not drawn on the frame.
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const yt = niceTicks(lo, hi, 5);
  lo = yt.lo;
  hi = yt.hi;
  const n = opts.epochs;
  // One epoch gets a window of ±0.5 around it so its point sits in the middle, not on the frame.
  const xlo = n === 1 ? 0.5 : 1 - (n - 1) * 0.04;
  const xhi = n === 1 ? 1.5 : n + (n - 1) * 0.04;
  const X = (e: number) => px + ((e - xlo) / (xhi - xlo)) * pw;
  const Y = (v: number) => py + ph - ((v - lo) / (hi - lo)) * ph;
  // Markers help with a few epochs and clutter with many; matplotlib users turn them off past a few dozen.
  const r = n > 30 ? 1.5 : n > 15 ? 2.5 : 3;
  const xTicks = n <= 12 ? Array.from({ length: n }, (_, i) => i + 1) : niceTicks(1, n, 8).ticks.filter((t) => Number.isInteger(t) && t >= 1 && t <= n);

  const out: string[] = [];
  out.push(`<g class="panel">`);
  out.push(`<text x="${px + pw / 2}" y="${y0 + 18}" text-anchor="middle" font-size="14" ${FONT}>${esc(opts.title)}</text>`);
  // Grid lines first so the data is drawn over them.
  for (const t of yt.ticks) {
    const y = Y(t).toFixed(1);
    out.push(`<line class="grid" x1="${px}" y1="${y}" x2="${px + pw}" y2="${y}" stroke="#e5e5e5" stroke-width="1"/>`);
    out.push(`<line x1="${px - 4}" y1="${y}" x2="${px}" y2="${y}" stroke="#000" stroke-width="1"/>`);
    out.push(`<text class="ytick" x="${px - 7}" y="${y}" dy="0.35em" text-anchor="end" font-size="11" ${FONT}>${fmt(t, yt.step)}${opts.percent ? '%' : ''}</text>`);
  }
  for (const t of xTicks) {
    const x = X(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${py + ph}" x2="${x}" y2="${py + ph + 4}" stroke="#000" stroke-width="1"/>`);
    out.push(`<text class="xtick" x="${x}" y="${py + ph + 17}" text-anchor="middle" font-size="11" ${FONT}>${t}</text>`);
  }
  out.push(`<rect x="${px}" y="${py}" width="${pw}" height="${ph}" fill="none" stroke="#000" stroke-width="1"/>`);
  out.push(`<text class="xlabel" x="${px + pw / 2}" y="${py + ph + 37}" text-anchor="middle" font-size="12" ${FONT}>${esc(opts.xLabel)}</text>`);
  out.push(`<text class="ylabel" transform="translate(${x0 + 14} ${py + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(opts.yLabel)}</text>`);

  for (const s of opts.series) {
    // A NaN or infinite value (a diverged run) breaks the line instead of dragging it off the chart.
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 0) {
        out.push(`<polyline class="series" data-series="${esc(s.name)}" points="${segment.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''} stroke-linejoin="round"/>`);
      }
      segment = [];
    };
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) { flush(); return; }
      const x = X(i + 1).toFixed(1);
      const y = Y(v).toFixed(1);
      segment.push(`${x},${y}`);
      out.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="${s.color}"/>`);
    });
    flush();
  }

  const legendW = 12 + 28 + 8 + 7 * Math.max(...opts.series.map((s) => s.name.length));
  const legendH = 8 + 18 * opts.series.length;
  const lx = px + pw - legendW - 8;
  const ly = opts.legendBottom ? py + ph - legendH - 8 : py + 8;
  out.push(`<g class="legend">`);
  out.push(`<rect x="${lx}" y="${ly}" width="${legendW}" height="${legendH}" rx="3" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`);
  opts.series.forEach((s, i) => {
    const y = ly + 13 + 18 * i;
    out.push(`<line x1="${lx + 8}" y1="${y}" x2="${lx + 36}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    out.push(`<circle cx="${lx + 22}" cy="${y}" r="3" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 44}" y="${y}" dy="0.35em" font-size="11" ${FONT}>${esc(s.name)}</text>`);
  });
  out.push(`</g>`);
  out.push(`</g>`);
  return out.join('\n');
}

/**
 * The SVG document for a training history. Accuracies given as fractions (all ≤ 1) are shown in percent.
 * Without any accuracy series the loss panel takes the whole width.
 */
export function historyToSvg(history: History, options: PlotOptions = {}): string {
  const width = options.width ?? 960;
  const height = options.height ?? 400;
  const valLabel = options.valLabel ?? 'validation';
  const xLabel = options.xLabel ?? 'epoch';
  const epochs = Math.max(history.loss.length, history.accuracy?.length ?? 0, history.valLoss?.length ?? 0, history.valAccuracy?.length ?? 0);
  const top = options.title ? 26 : 0;

  const lossSeries: Series[] = [{ name: 'train', color: TRAIN_COLOR, values: history.loss }];
  if (history.valLoss?.length) lossSeries.push({ name: valLabel, color: VAL_COLOR, values: history.valLoss, dashed: false });
  const accSeries: Series[] = [];
  if (history.accuracy?.length) accSeries.push({ name: 'train', color: TRAIN_COLOR, values: history.accuracy });
  if (history.valAccuracy?.length) accSeries.push({ name: valLabel, color: VAL_COLOR, values: history.valAccuracy });
  const accAll = accSeries.flatMap((s) => s.values.filter(Number.isFinite));
  const percent = accAll.length > 0 && accAll.every((v) => v >= 0 && v <= 1);
  if (percent) for (const s of accSeries) s.values = s.values.map((v) => v * 100);

  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  if (options.title) parts.push(`<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(options.title)}</text>`);
  if (epochs === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="14" ${FONT}>no epochs recorded</text>`);
  } else {
    const panelW = accSeries.length ? width / 2 : width;
    parts.push(panel(0, top, panelW, height - top, { title: 'Loss', yLabel: 'loss', xLabel, series: lossSeries, epochs, legendBottom: false, percent: false }));
    if (accSeries.length) {
      parts.push(panel(panelW, top, panelW, height - top, {
        title: 'Accuracy', yLabel: percent ? 'accuracy (%)' : 'accuracy', xLabel, series: accSeries, epochs, legendBottom: true, percent,
      }));
    }
  }
  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}
