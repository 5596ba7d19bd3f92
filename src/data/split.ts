/**
 * The seeded, stratified train/test split of per-class digit arrays. Pure (no Node imports), so the
 * browser demo uses exactly the split the CLI does; src/data/mnist.ts feeds it the embedded digits.
 *
 * Each class is split in the same train/test proportion (largest-remainder rounding so the totals are
 * exactly what was asked), each class's members chosen by a seeded permutation, and both halves then
 * shuffled by the same generator. A stratified test set keeps the per-class recall in the confusion matrix
 * comparable between seeds.
 */
import { Random } from '../random.ts';
import { type Dataset, makeByteDataset } from './dataset.ts';

export const SIZE = 28;
export const PIXELS = SIZE * SIZE;
export const CLASSES = 10;

export interface MnistSplitOptions {
  /** Seed for the split (default 1). Same seed, same split. */
  seed?: number;
  /** Training digits (default 8000). */
  train?: number;
  /** Test digits (default 2000); train + test must not exceed the 10,000 available. */
  test?: number;
}

export interface MnistSplit {
  train: Dataset;
  test: Dataset;
}

/**
 * The split itself, separate from file loading so it can be tested on small synthetic classes. `perClass[c]`
 * holds class c's 8-bit pixels, PIXELS bytes a digit; both halves are byte data sets (x = bytes / 255).
 */
export function splitDigits(perClass: readonly Uint8Array[], options: MnistSplitOptions = {}): MnistSplit {
  perClass.forEach((d, c) => {
    if (!(d instanceof Uint8Array)) throw new TypeError(`splitDigits: class ${c} must be a Uint8Array of 8-bit pixels, got ${(d as unknown as object | null)?.constructor?.name ?? typeof d}`);
    if (d.length % PIXELS !== 0) throw new RangeError(`splitDigits: class ${c} has ${d.length} pixels, not a multiple of ${PIXELS}`);
  });
  const seed = options.seed ?? 1;
  const counts = perClass.map((d) => d.length / PIXELS);
  const total = counts.reduce((a, b) => a + b, 0);
  const nTrain = options.train ?? Math.min(8000, Math.round(total * 0.8));
  if (!Number.isInteger(nTrain) || nTrain < 0) throw new RangeError(`train must be a non-negative integer, got ${nTrain}`);
  // checked before the default test size is derived from it, so too large a train count is blamed on train
  if (nTrain > total) throw new RangeError(`train: asked for ${nTrain} training digits but only ${total} are embedded`);
  const nTest = options.test ?? Math.min(2000, total - nTrain);
  if (!Number.isInteger(nTest) || nTest < 0) throw new RangeError(`test must be a non-negative integer, got ${nTest}`);
  if (nTrain + nTest > total) {
    throw new RangeError(`asked for ${nTrain} train + ${nTest} test digits but only ${total} are embedded`);
  }

  const testPer = allocate(counts, nTest);
  const trainPer = allocate(counts.map((n, c) => n - testPer[c]), nTrain);

  const rng = new Random(seed);
  const trainIdx: [number, number][] = [];
  const testIdx: [number, number][] = [];
  for (let c = 0; c < counts.length; c++) {
    const p = rng.permutation(counts[c]);
    for (let i = 0; i < testPer[c]; i++) testIdx.push([c, p[i]]);
    for (let i = testPer[c]; i < testPer[c] + trainPer[c]; i++) trainIdx.push([c, p[i]]);
  }
  // Without this, the rows would be sorted by class, which is fine for a shuffled trainer but misleading for
  // anyone slicing off "the first 500" for a quick test.
  const build = (idx: [number, number][], name: string): Dataset => {
    const order = rng.permutation(idx.length);
    const bytes = new Uint8Array(idx.length * PIXELS);
    const labels = new Uint8Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const [c, k] = idx[order[i]];
      bytes.set(perClass[c].subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
      labels[i] = c;
    }
    return makeByteDataset({ bytes, rows: idx.length, cols: PIXELS }, labels, {
      classes: CLASSES, width: SIZE, height: SIZE,
      source: `embedded MNIST digits (mnist package), ${name} ${idx.length}, seed ${seed}`,
    });
  };
  return { train: build(trainIdx, 'train'), test: build(testIdx, 'test') };
}

/**
 * Splits `n` over classes in proportion to `avail` with largest-remainder rounding, so the parts sum to
 * exactly `n` and no class is asked for more than it has.
 */
function allocate(avail: readonly number[], n: number): number[] {
  const total = avail.reduce((a, b) => a + b, 0);
  if (total === 0) return avail.map(() => 0);
  const exact = avail.map((a) => (a * n) / total);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, c) => [e - Math.floor(e), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of byRemainder) {
    if (left === 0) break;
    if (out[c] < avail[c]) { out[c]++; left--; }
  }
  return out;
}
