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

/** The high 32-bit word of the 64-bit product a·b of two uint32s, from 16-bit halves (exact in doubles). */
function mulHi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const p1 = al * bh;
  const p2 = ah * bl;
  const mid = ((al * bl) >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  return (ah * bh + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) >>> 0;
}

// The rounds write their state here rather than into new arrays: a training step draws one word per element
// of every dropout layer (128 × 1600 for the Keras convnet), and allocation-free rounds are ~10× faster in V8.
const state = new Uint32Array(4);

/** Ten Philox4x32 rounds on `state` under the key [k0, k1]. */
function rounds(k0: number, k1: number): void {
  let [c0, c1, c2, c3] = [state[0], state[1], state[2], state[3]];
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  state[0] = c0;
  state[1] = c1;
  state[2] = c2;
  state[3] = c3;
}

/** Philox4x32-10 of a counter [c0, c1, c2, c3] under a key [k0, k1]: four uint32 words. */
export function philox4x32(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  for (let i = 0; i < 4; i++) state[i] = counter[i] >>> 0;
  rounds(key[0] >>> 0, key[1] >>> 0);
  return [state[0], state[1], state[2], state[3]];
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
  state[0] = element >>> 0;
  state[1] = t >>> 0;
  state[2] = 0;
  state[3] = 0;
  rounds(seed >>> 0, layer >>> 0);
  return state[0] >>> 8 >= dropoutThreshold(rate);
}
