/**
 * MNIST in the browser: the `mnist` package's 10,000 digits, shipped as one 7.8 MB file of 8-bit pixels
 * (./digits.bin, made from the package at dev/build time by demo/vite.config.ts; format in
 * demo/digits-format.ts), fetched once from the page's own origin, then split with the same seeded,
 * stratified `splitDigits` the CLI uses, so `?seed=1&train=8000&test=2000` is the CLI's default split.
 * The digits stay bytes throughout (byte data sets, widened to b/255 by the backend per batch), as in the CLI.
 */
import { inputs, splitDigits } from '../../src/index.ts';
import type { Dataset, MnistSplit } from '../../src/index.ts';
import { decodeDigits } from '../digits-format.ts';

/** All embedded digits available (the split's maximum train + test). */
export const EMBEDDED_DIGITS = 10_000;

let perClass: Promise<Uint8Array[]> | null = null;

async function fetchDigits(progress: (fraction: number) => void): Promise<Uint8Array[]> {
  const url = new URL('digits.bin', document.baseURI);
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`digits: HTTP ${res.status} from ${url}`);
  const total = Number(res.headers.get('content-length')) || 7_840_048;
  const chunks: Uint8Array[] = [];
  let got = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    progress(Math.min(1, got / total));
  }
  const bytes = new Uint8Array(got);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return decodeDigits(bytes, url.pathname);
}

/** The per-class 8-bit pixels, fetched once per page; `progress(fraction)` while they arrive. */
export function loadDigits(progress: (fraction: number) => void = () => {}): Promise<Uint8Array[]> {
  if (!perClass) {
    perClass = fetchDigits(progress);
    perClass.catch(() => (perClass = null));
  }
  return perClass;
}

export async function loadSplit(options: { train: number; test: number; seed: number }, progress?: (fraction: number) => void): Promise<MnistSplit> {
  return splitDigits(await loadDigits(progress), options);
}

/** Digit `i` of a data set as 784 values in [0, 1], for drawing it: one row widened, not the whole set. */
export function digitAt(ds: Dataset, i: number): Float32Array {
  const x = inputs(ds);
  const cols = x.cols;
  return 'bytes' in x ? Float32Array.from(x.bytes.subarray(i * cols, (i + 1) * cols), (b) => b / 255) : x.data.subarray(i * cols, (i + 1) * cols);
}
