/**
 * A log–log line chart as standalone SVG, for the scaling curves (samples/s against batch size or width,
 * bytes and seconds against data size): one line per series, points marked, axes labelled with the
 * measured x values. No dependencies; renders on GitHub and in any browser.
 */

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function short(v: number): string {
  const a = Math.abs(v);
  if (a < 1e4 && Number.isInteger(v)) return String(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: LineSeries[], width = 700, height = 400): string {
  const pts = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
  const m = { l: 70, r: 210, t: 40, b: 50 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" ${FONT}>${esc(title)}</text>`,
  ];
  if (pts.length === 0) {
    out.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="13" ${FONT}>no data</text></svg>`);
    return out.join('\n');
  }
  const lx = pts.map((p) => Math.log10(p.x));
  const ly = pts.map((p) => Math.log10(p.y));
  let [x0, x1] = [Math.min(...lx), Math.max(...lx)];
  let [y0, y1] = [Math.floor(Math.min(...ly)), Math.ceil(Math.max(...ly))];
  if (x1 === x0) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y1 === y0) y1 = y0 + 1;
  const X = (v: number) => m.l + ((Math.log10(v) - x0) / (x1 - x0)) * w;
  const Y = (v: number) => m.t + h - ((Math.log10(v) - y0) / (y1 - y0)) * h;
  out.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  for (let e = y0; e <= y1; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${y + 4}" text-anchor="end" font-size="11" ${FONT}>${short(10 ** e)}</text>`);
  }
  const xs = [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b);
  for (const v of xs) {
    const x = X(v);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + h}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${m.t + h + 16}" text-anchor="middle" font-size="11" ${FONT}>${short(v)}</text>`);
  }
  out.push(`<text x="${m.l + w / 2}" y="${height - 12}" text-anchor="middle" font-size="12" ${FONT}>${esc(xLabel)} (log scale)</text>`);
  out.push(`<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(yLabel)} (log scale)</text>`);
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const p = s.points.filter((q) => q.x > 0 && q.y > 0 && Number.isFinite(q.y));
    if (p.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of p) out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly0 = m.t + 10 + k * 18;
    out.push(`<line x1="${m.l + w + 12}" x2="${m.l + w + 32}" y1="${ly0}" y2="${ly0}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${m.l + w + 36}" y="${ly0 + 4}" font-size="11" ${FONT}>${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
