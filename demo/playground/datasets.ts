/**
 * The playground's 2-D data sets, seeded (the library's Random), on the square [−1, 1]²: XOR (quadrants),
 * AND (the gate's four inputs as clusters at the corners, blue only at (+, +): a straight line separates them),
 * a circle inside a ring, two Gaussians, two interleaved spirals. Labels are 1 (blue) or 0 (orange).
 * `noise` jitters the points (a fraction of the square's half-width); `trainFraction` splits them.
 */
import { Random } from '../../src/index.ts';

export const DATASETS = {
  xor: 'XOR',
  and: 'AND',
  circle: 'circle',
  gaussians: 'two Gaussians',
  spiral: 'spiral',
} as const;
export type DatasetName = keyof typeof DATASETS;

export interface Points {
  /** rows × 2, the coordinates */
  x: Float32Array;
  labels: Uint8Array;
  rows: number;
}

export interface PlaygroundData {
  train: Points;
  test: Points;
}

function generate(name: DatasetName, n: number, noise: number, rng: Random): { xy: number[][]; label: number[] } {
  const xy: number[][] = [];
  const label: number[] = [];
  const add = (x: number, y: number, c: number) => {
    xy.push([x + noise * rng.normal() * 0.5, y + noise * rng.normal() * 0.5]);
    label.push(c);
  };
  for (let i = 0; i < n; i++) {
    if (name === 'xor') {
      // away from the axes a little, as the TensorFlow playground does, so the quadrants are learnable
      const pad = 0.08;
      const x = rng.uniform(pad, 1) * (rng.next() < 0.5 ? -1 : 1);
      const y = rng.uniform(pad, 1) * (rng.next() < 0.5 ? -1 : 1);
      add(x, y, x * y > 0 ? 1 : 0);
    } else if (name === 'and') {
      // a disc of radius 0.2 around each corner (±0.5, ±0.5): without noise the margin to x + y = 0.5 is 0.15
      const cx = i % 2 === 0 ? 0.5 : -0.5;
      const cy = Math.floor(i / 2) % 2 === 0 ? 0.5 : -0.5;
      const r = 0.2 * Math.sqrt(rng.next());
      const a = rng.uniform(0, 2 * Math.PI);
      add(cx + r * Math.cos(a), cy + r * Math.sin(a), cx > 0 && cy > 0 ? 1 : 0);
    } else if (name === 'circle') {
      const inside = i % 2 === 0;
      const r = inside ? rng.uniform(0, 0.45) : rng.uniform(0.65, 0.95);
      const a = rng.uniform(0, 2 * Math.PI);
      add(r * Math.cos(a), r * Math.sin(a), inside ? 1 : 0);
    } else if (name === 'gaussians') {
      const c = i % 2;
      const m = c === 1 ? 0.45 : -0.45;
      add(m + 0.22 * rng.normal(), m + 0.22 * rng.normal(), c);
    } else {
      const c = i % 2;
      const t = (Math.floor(i / 2) / Math.ceil(n / 2)) * 1.75 * 2 * Math.PI;
      const r = (0.9 * Math.floor(i / 2)) / Math.ceil(n / 2);
      const a = t + (c === 1 ? 0 : Math.PI);
      add(r * Math.sin(a), r * Math.cos(a), c);
    }
  }
  return { xy, label };
}

export function makeData(name: DatasetName, options: { points: number; noise: number; trainFraction: number; seed: number }): PlaygroundData {
  if (!(name in DATASETS)) throw new RangeError(`data set must be one of ${Object.keys(DATASETS).join(', ')}, got '${name}'`);
  if (!Number.isInteger(options.points) || options.points < 20 || options.points > 2000) throw new RangeError(`points must be a whole number from 20 to 2000, got ${options.points}`);
  if (!(options.noise >= 0 && options.noise <= 1)) throw new RangeError(`noise must be from 0 to 1, got ${options.noise}`);
  if (!(options.trainFraction >= 0.1 && options.trainFraction <= 0.9)) throw new RangeError(`the train fraction must be from 0.1 to 0.9, got ${options.trainFraction}`);
  const rng = new Random(options.seed);
  const { xy, label } = generate(name, options.points, options.noise, rng);
  const order = Array.from({ length: xy.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTrain = Math.round(xy.length * options.trainFraction);
  const pick = (idx: number[]): Points => ({
    x: Float32Array.from(idx.flatMap((i) => xy[i])),
    labels: Uint8Array.from(idx.map((i) => label[i])),
    rows: idx.length,
  });
  return { train: pick(order.slice(0, nTrain)), test: pick(order.slice(nTrain)) };
}
