/**
 * The tolerances every GPU-vs-CPU check uses (verify, and the kernel tests), with the reason for each, so
 * the bound a user's adapter is held to is the one CI holds SwiftShader to.
 */

/** float32 unit roundoff is 2⁻²⁴; the bounds below use 2⁻²³ (twice that) and a further factor of 4 as margin. */
const EPS32 = 2 ** -23;

/**
 * One matrix product element C = Σ_r a_r·b_r over R terms: float32 summation in any order errs by at most
 * about R·2⁻²⁴·Σ|a_r·b_r| (the classical bound). We allow 4·R·2⁻²³·Σ|a_r·b_r|: a correct kernel meets it
 * whatever its summation order (tiles, split-K), while an indexing slip (wrong element, missed term, stale
 * row, wrong sign) misses it by orders of magnitude.
 */
export function productBound(R: number, absSum: number): number {
  return 4 * R * EPS32 * absSum + 1e-30;
}

export const PRODUCT_WHY = 'float32 sum of R terms errs ≤ R·2⁻²⁴·Σ|a·b|; 8× margin';

/**
 * A value of a training step (v, y, δ, W, b, loss): each comes from sums of at most n = K + M + N terms
 * (inputs, rows, units) of O(1) size (seeded inputs in [-1, 1), Glorot weights), so its float32 error is
 * below n·2⁻²⁴·(1 + |value|). We allow |gpu − cpu| ≤ stepTolerance(n)·(1 + |cpu|), 8× that; `steps`
 * consecutive steps feed each one's rounding into the next, so the bound grows linearly with them.
 */
export function stepTolerance(n: number, steps = 1): number {
  return 4 * n * EPS32 * steps;
}

export const STEP_WHY = 'float32 sums of n = K+M+N O(1) terms err ≤ n·2⁻²⁴, per step; 8× margin';
