/**
 * Synthetic 28×28 digit sets of any size, as 8-bit pixels: the embedded digits (src/data/mnist.ts) repeated,
 * each repetition shifted by a different (dx, dy) of up to ±2 pixels, so a 60,000- or 240,000-image set is
 * as big as MNIST or EMNIST without being 6 or 24 copies of the same bytes. For the scaling benchmark and
 * for the tests of data sets beyond one GPU binding; never for accuracy claims.
 */
import type { ByteMatrix, ClassIndices } from '../backend.ts';
import { loadMnistDigits } from './mnist.ts';
import { CLASSES, PIXELS, SIZE } from './split.ts';

/** The shift of repetition k: (0,0) first, then the other 24 offsets in −2…2 × −2…2, cycling. */
function shift(k: number): [number, number] {
  const s = k % 25;
  const dx = ((s % 5) + 2) % 5 - 2; // 0, 1, 2, −2, −1
  const dy = ((Math.floor(s / 5) + 2) % 5) - 2;
  return [dx, dy];
}

/**
 * `n` images (rows of 784 bytes, 0..255) and their labels: image i is embedded digit i mod 10,000 (classes
 * in order 0…9, as the package stores them), shifted by shift(⌊i / 10,000⌋) with zeros shifted in.
 */
export function syntheticDigits(n: number): { x: ByteMatrix; y: ClassIndices } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`syntheticDigits: n must be a positive integer, got ${n}`);
  const perClass = loadMnistDigits();
  const sources: { c: number; at: number }[] = [];
  perClass.forEach((d, c) => {
    for (let at = 0; at < d.length; at += PIXELS) sources.push({ c, at });
  });
  const bytes = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const { c, at } = sources[i % sources.length];
    const [dx, dy] = shift(Math.floor(i / sources.length));
    const src = perClass[c];
    const o = i * PIXELS;
    for (let r = 0; r < SIZE; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= SIZE) continue;
      for (let col = 0; col < SIZE; col++) {
        const sc = col - dx;
        if (sc >= 0 && sc < SIZE) bytes[o + r * SIZE + col] = src[at + sr * SIZE + sc];
      }
    }
    labels[i] = c;
  }
  return { x: { bytes, rows: n, cols: PIXELS }, y: { indices: labels, classes: CLASSES } };
}
