/**
 * Drawing the playground: the decision boundary as a heat map over the plane with the data on top, and the
 * network as columns of small maps (each unit's output over the same plane) joined by edges whose width and
 * colour come from the weights; a hovered point's δ is written under each unit.
 */
import type { ActivationName, LayerParams, Matrix } from '../../src/index.ts';
import type { Points } from './datasets.ts';

/** The plane shown: [−EXTENT, EXTENT]² (a little beyond the data's square, for noisy points). */
export const EXTENT = 1.25;

/** G×G points of the plane, row by row from the top (y = +EXTENT) down, as model inputs (rows × 2). */
export function gridInputs(G: number): Matrix {
  const data = new Float32Array(G * G * 2);
  for (let r = 0; r < G; r++) {
    for (let c = 0; c < G; c++) {
      data[(r * G + c) * 2] = -EXTENT + ((c + 0.5) / G) * 2 * EXTENT;
      data[(r * G + c) * 2 + 1] = EXTENT - ((r + 0.5) / G) * 2 * EXTENT;
    }
  }
  return { data, rows: G * G, cols: 2 };
}

const ORANGE = [245, 147, 34];
const BLUE = [8, 119, 189];

/** t in [−1, 1] → orange … white … blue. */
function colour(t: number, out: Uint8ClampedArray, at: number): void {
  const k = Math.min(1, Math.abs(t));
  const c = t < 0 ? ORANGE : BLUE;
  for (let i = 0; i < 3; i++) out[at + i] = 255 + (c[i] - 255) * k * 0.85;
  out[at + 3] = 255;
}

/** How an activation's values map to [−1, 1] for colouring: (v − centre) / scale. */
function rangeOf(activation: ActivationName | 'input' | 'probability', values: ArrayLike<number>): { centre: number; scale: number } {
  if (activation === 'sigmoid' || activation === 'softmax' || activation === 'probability') return { centre: 0.5, scale: 0.5 };
  if (activation === 'tanh' || activation === 'input') return { centre: 0, scale: activation === 'input' ? EXTENT : 1 };
  let m = 1e-6;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return { centre: 0, scale: m };
}

/** Paints column `unit` of a G×G-row matrix of values into an image of G×G pixels. */
function mapImage(values: ArrayLike<number>, stride: number, unit: number, G: number, range: { centre: number; scale: number }): ImageData {
  const img = new ImageData(G, G);
  for (let i = 0; i < G * G; i++) colour((values[i * stride + unit] - range.centre) / range.scale, img.data, i * 4);
  return img;
}

function blit(ctx: CanvasRenderingContext2D, img: ImageData, x: number, y: number, w: number, h: number): void {
  const tmp = document.createElement('canvas');
  tmp.width = img.width;
  tmp.height = img.height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, x, y, w, h);
}

/** The heat map of P(class 1) on the G×G grid, and the points (train filled, test ringed in black). */
export function drawPlane(
  canvas: HTMLCanvasElement, p1: Float32Array | null, G: number, data: { train: Points; test: Points }, showTest: boolean,
  selected: { set: 'train' | 'test'; i: number } | null, centres: { x: number; y: number; r?: number }[] = [],
  line: { w: [number, number]; b: number } | null = null,
): void {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const W = canvas.width;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, W);
  if (p1) blit(ctx, mapImage(p1, 1, 0, G, { centre: 0.5, scale: 0.5 }), 0, 0, W, W);
  const toPx = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * W;
  const dot = (pts: Points, ring: boolean, set: 'train' | 'test') => {
    for (let i = 0; i < pts.rows; i++) {
      const x = toPx(pts.x[i * 2]);
      const y = W - toPx(pts.x[i * 2 + 1]);
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = pts.labels[i] === 1 ? 'rgb(8,119,189)' : 'rgb(245,147,34)';
      ctx.fill();
      ctx.lineWidth = ring ? 1.6 : 1;
      ctx.strokeStyle = ring ? '#000' : '#fff';
      ctx.stroke();
      if (selected && selected.set === set && selected.i === i) {
        ctx.beginPath();
        ctx.arc(x, y, 8, 0, 2 * Math.PI);
        ctx.lineWidth = 2;
        ctx.strokeStyle = '#1d2330';
        ctx.stroke();
      }
    }
  };
  dot(data.train, false, 'train');
  if (showTest) dot(data.test, true, 'test');
  // a model's own points on the plane (an RBF network's centres), as crosses, each in a circle of radius σ
  ctx.strokeStyle = '#1d2330';
  for (const c of centres) {
    const x = toPx(c.x);
    const y = W - toPx(c.y);
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(x - 6, y - 6);
    ctx.lineTo(x + 6, y + 6);
    ctx.moveTo(x + 6, y - 6);
    ctx.lineTo(x - 6, y + 6);
    ctx.stroke();
    if (c.r) {
      ctx.lineWidth = 1.2;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.arc(x, y, (c.r / (2 * EXTENT)) * W, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
  // a line w1·x + w2·y + b = 0 across the plane (the perceptron's), from the side it is steeper against
  if (line) {
    const [w1, w2] = line.w;
    const ends = Math.abs(w2) >= Math.abs(w1)
      ? [-EXTENT, EXTENT].map((x) => [x, -(w1 * x + line.b) / w2])
      : [-EXTENT, EXTENT].map((y) => [-(w2 * y + line.b) / w1, y]);
    ctx.strokeStyle = '#1d2330';
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(toPx(ends[0][0]), W - toPx(ends[0][1]));
    ctx.lineTo(toPx(ends[1][0]), W - toPx(ends[1][1]));
    ctx.stroke();
  }
}

export interface NetworkPicture {
  /** each layer's outputs on the small grid (layerOutputs), and the activations */
  outputs: Matrix[];
  activations: ActivationName[];
  params: LayerParams[];
  /** the first column's maps: the plane's (x1, x2), or what the first dense layer sees instead (an RBF layer's φ) */
  grid: Matrix;
  /** 'x' for the plane's coordinates; another name (φ) for features, drawn from 0 (white) to 1 (blue) */
  inputLabel: string;
  G: number;
  /** per layer, per unit: δ for the hovered point, if any */
  deltas: Float32Array[] | null;
}

const S = 46; // a unit's map, in CSS pixels
const GAP = 14;

/** The network: input maps (x1, x2), each hidden unit's map, the output's; edges from the weights. */
export function drawNetwork(canvas: HTMLCanvasElement, n: NetworkPicture): void {
  const columns = [n.grid.cols, ...n.outputs.map((o) => o.cols)];
  const rows = Math.max(...columns);
  const colGap = Math.max(70, Math.min(130, (560 - columns.length * S) / Math.max(1, columns.length - 1)));
  const width = columns.length * S + (columns.length - 1) * colGap + 20;
  const height = rows * (S + GAP + 12) + 10;
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.aspectRatio = `${width} / ${height}`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const pos = (l: number, j: number) => {
    const x = 10 + l * (S + colGap);
    const top = (height - columns[l] * (S + GAP + 12)) / 2;
    return { x, y: top + j * (S + GAP + 12) + 4 };
  };
  // edges first, under the maps
  n.params.forEach((p, l) => {
    const inputs = columns[l];
    for (let j = 0; j < columns[l + 1]; j++) {
      for (let i = 0; i < inputs; i++) {
        const w = p.W[j * inputs + i];
        const a = pos(l, i);
        const b = pos(l + 1, j);
        ctx.beginPath();
        ctx.moveTo(a.x + S, a.y + S / 2);
        ctx.lineTo(b.x, b.y + S / 2);
        ctx.lineWidth = Math.min(8, 0.4 + Math.abs(w) * 1.5);
        ctx.strokeStyle = w >= 0 ? 'rgba(8,119,189,0.6)' : 'rgba(245,147,34,0.7)';
        ctx.stroke();
      }
    }
  });
  ctx.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
  ctx.textAlign = 'center';
  for (let i = 0; i < n.grid.cols; i++) {
    const { x, y } = pos(0, i);
    blit(ctx, mapImage(n.grid.data, n.grid.cols, i, n.G, n.inputLabel === 'x' ? rangeOf('input', []) : { centre: 0, scale: 1 }), x, y, S, S);
    if (n.inputLabel !== 'x') {
      // features such as φ are mostly 0 (white): a frame shows where each map is
      ctx.strokeStyle = '#9aa3b5';
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, S - 1, S - 1);
    }
    ctx.fillStyle = '#1d2330';
    ctx.fillText(`${n.inputLabel}${i + 1}`, x + S / 2, y + S + 11);
  }
  n.outputs.forEach((o, l) => {
    const act = n.activations[l];
    for (let j = 0; j < o.cols; j++) {
      const { x, y } = pos(l + 1, j);
      const unitValues = Float32Array.from({ length: o.rows }, (_, r) => o.data[r * o.cols + j]);
      blit(ctx, mapImage(unitValues, 1, 0, n.G, rangeOf(act, unitValues)), x, y, S, S);
      ctx.strokeStyle = '#9aa3b5';
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, S - 1, S - 1);
      const d = n.deltas?.[l]?.[j];
      ctx.fillStyle = d === undefined ? '#6b7385' : '#1d2330';
      ctx.fillText(d === undefined ? (l === n.outputs.length - 1 ? 'out' : `h${l + 1}.${j + 1}`) : `δ ${d.toFixed(3)}`, x + S / 2, y + S + 11);
    }
  });
}
