/**
 * The dropout mask, drawn by a counter-based generator so that any pattern's mask can be computed on its own,
 * anywhere: the CPU and the GPU (shaders/philox.wgsl, the same arithmetic) drop the very same units, and the
 * two backends stay comparable step for step.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; Random123's
 * reference constants) maps a 128-bit counter and a 64-bit key to 128 random bits with ten rounds of 32×32→64
 * multiplies. Here:
 *   key     = [seed, layer]                   the model's seed and the dropout layer's position
 *   counter = [element, t, 0, 0]              element = r·units + k within the batch, t = updates before this step
 * A unit is kept when the top 24 bits of the first output word are ≥ ⌊rate·2²⁴⌉, an integer comparison, so the
 * CPU and the GPU cannot disagree through rounding. Kept units are scaled by 1/(1 − rate) (inverted dropout).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** [high, low] 32-bit words of the 64-bit product a·b, from 16-bit halves (exact in doubles). */
function mulHiLo(a: number, b: number): [number, number] {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const p0 = al * bl;
  const p1 = al * bh;
  const p2 = ah * bl;
  const p3 = ah * bh;
  const mid = (p0 >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  const hi = (p3 + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

/** Philox4x32-10 of a counter [c0, c1, c2, c3] under a key [k0, k1]: four uint32 words. */
export function philox4x32(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const [hi0, lo0] = mulHiLo(M0, c0);
    const [hi1, lo1] = mulHiLo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** The integer threshold on 24-bit draws for a drop rate in [0, 1): a unit is kept when its draw is ≥ it. */
export function dropoutThreshold(rate: number): number {
  return Math.round(rate * 16777216);
}

/** The factor kept units are multiplied by, as float32 (both backends use this very value). */
export function dropoutScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

/** Whether element `element` of the batch survives dropout layer `layer` at update count t. */
export function dropoutKeeps(seed: number, layer: number, t: number, element: number, rate: number): boolean {
  const [w0] = philox4x32([element, t, 0, 0], [seed, layer]);
  return w0 >>> 8 >= dropoutThreshold(rate);
}
