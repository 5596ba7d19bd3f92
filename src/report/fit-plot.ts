/**
 * The TF2 linear-regression example's two plots as one SVG: the data points with the fitted line on the
 * left (plt.scatter + plt.plot), the loss per epoch on the right (historyToSvg's loss panel, nested).
 */
import { historyToSvg, niceTicks } from './plot.ts';

const FONT = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif"`;

export interface FitPlotOptions {
  width?: number;
  height?: number;
  title?: string;
}

function scatterPanel(x: number[], y: number[], line: { weight: number; bias: number }, w: number, h: number): string {
  const m = { left: 62, right: 14, top: 30, bottom: 46 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const finite = (a: number[]) => a.filter(Number.isFinite);
  // matplotlib's 5% margin, so the extreme points are not drawn on the frame
  const range = (a: number[]) => {
    const [lo, hi] = [Math.min(...finite(a)), Math.max(...finite(a))];
    return niceTicks(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 5);
  };
  const xs = range(x);
  const ys = range(y);
  const X = (v: number) => m.left + ((v - xs.lo) / (xs.hi - xs.lo)) * pw;
  const Y = (v: number) => m.top + ph - ((v - ys.lo) / (ys.hi - ys.lo)) * ph;
  const out: string[] = [`<g class="panel">`];
  out.push(`<text x="${m.left + pw / 2}" y="18" text-anchor="middle" font-size="14" ${FONT}>Data and fitted line</text>`);
  for (const t of ys.ticks) {
    out.push(`<line class="grid" x1="${m.left}" y1="${Y(t).toFixed(1)}" x2="${m.left + pw}" y2="${Y(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text class="ytick" x="${m.left - 7}" y="${Y(t).toFixed(1)}" dy="0.35em" text-anchor="end" font-size="11" ${FONT}>${t}</text>`);
  }
  for (const t of xs.ticks) {
    out.push(`<text class="xtick" x="${X(t).toFixed(1)}" y="${m.top + ph + 17}" text-anchor="middle" font-size="11" ${FONT}>${t}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#000"/>`);
  out.push(`<text class="xlabel" x="${m.left + pw / 2}" y="${m.top + ph + 37}" text-anchor="middle" font-size="12" ${FONT}>x</text>`);
  out.push(`<text class="ylabel" transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>y</text>`);
  x.forEach((xv, i) => {
    if (Number.isFinite(xv) && Number.isFinite(y[i])) out.push(`<circle class="point" cx="${X(xv).toFixed(1)}" cy="${Y(y[i]).toFixed(1)}" r="2.5" fill="#1f77b4"/>`);
  });
  // the fitted line across the x range, clipped to the frame
  out.push(`<clipPath id="fit-frame"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath>`);
  const [x0, x1] = [xs.lo, xs.hi];
  out.push(
    `<line class="fit" clip-path="url(#fit-frame)" x1="${X(x0).toFixed(1)}" y1="${Y(line.weight * x0 + line.bias).toFixed(1)}" x2="${X(x1).toFixed(1)}" y2="${Y(line.weight * x1 + line.bias).toFixed(1)}" stroke="#ff7f0e" stroke-width="2"/>`,
  );
  out.push(`<text x="${m.left + 8}" y="${m.top + 16}" font-size="11" ${FONT}>y = ${line.weight.toFixed(4)}·x ${line.bias < 0 ? '−' : '+'} ${Math.abs(line.bias).toFixed(4)}</text>`);
  out.push(`</g>`);
  return out.join('\n');
}

/** Data + fitted line beside the loss curve. */
export function linearFitToSvg(x: number[], y: number[], line: { weight: number; bias: number }, loss: number[], options: FitPlotOptions = {}): string {
  if (x.length !== y.length || x.length === 0) throw new RangeError(`linearFitToSvg: x and y must be non-empty and of equal length, got ${x.length} and ${y.length}`);
  const width = options.width ?? 960;
  const height = options.height ?? 400;
  const top = options.title ? 26 : 0;
  const half = width / 2;
  const lossSvg = historyToSvg({ loss }, { width: half, height: height - top })
    .replace(/^<\?xml[^>]*>\n/, '')
    .replace('<svg ', `<svg x="${half}" y="${top}" `);
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  ];
  if (options.title) parts.push(`<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${options.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  parts.push(`<svg x="0" y="${top}" width="${half}" height="${height - top}">`, scatterPanel(x, y, line, half, height - top), `</svg>`);
  parts.push(lossSvg.trimEnd(), `</svg>`);
  return parts.join('\n') + '\n';
}
