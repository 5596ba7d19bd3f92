/**
 * The initializers against their formulas: the range of each uniform one (reached, never exceeded) and the
 * sample variance of each against r²/3 (uniform) or 2/in (He normal). Shapes are chosen so the formulas give
 * different numbers (in = 200, out = 100: Glorot r = √(6/300) = 0.1414, He r = √(6/200) = 0.1732), so
 * swapping He for Glorot, or normal for uniform, fails here.
 */
import { describe, expect, it } from 'vitest';
import { initialWeights, INITIALIZERS, type Initializer } from '../src/initializers.ts';
import { Random } from '../src/random.ts';
import { dense, sequential } from '../src/index.ts';

const IN = 200;
const OUT = 100;

function stats(w: Float32Array) {
  let [sum, sq, max, beyond] = [0, 0, 0, 0];
  for (const v of w) {
    sum += v;
    sq += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = sum / w.length;
  const variance = sq / w.length - mean * mean;
  for (const v of w) if (Math.abs(v) > 2 * Math.sqrt(variance)) beyond++;
  return { mean, variance, max, beyond: beyond / w.length };
}

/** [initializer, the range r of U(−r, r) or null for a normal, the variance] */
const CASES: [Initializer, number | null, number][] = [
  ['uniform', 0.5, 0.25 / 3],
  [{ type: 'uniform', range: 0.05 }, 0.05, 0.0025 / 3],
  ['glorotUniform', Math.sqrt(6 / (IN + OUT)), 6 / (IN + OUT) / 3],
  ['heUniform', Math.sqrt(6 / IN), 6 / IN / 3],
  ['heNormal', null, 2 / IN],
];

describe('initializers', () => {
  it('covers every initializer', () => expect(INITIALIZERS.every((n) => CASES.some(([c]) => c === n))).toBe(true));

  for (const [init, r, variance] of CASES) {
    it(`${JSON.stringify(init)}: ${r === null ? 'normal' : `U(−${r.toFixed(4)}, ${r.toFixed(4)})`}, variance ${variance.toExponential(3)}`, () => {
      const w = initialWeights(init, IN, OUT, new Random(1));
      expect(w).toHaveLength(IN * OUT);
      const s = stats(w);
      // 20,000 samples: the sample variance's relative sd is ~0.9% (uniform) / 1% (normal); 4% is ~4 sd,
      // while the nearest wrong formula (He vs Glorot) is 50% off
      expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.04);
      expect(Math.abs(s.mean)).toBeLessThan(4 * Math.sqrt(variance / w.length));
      if (r !== null) {
        expect(s.max).toBeLessThanOrEqual(Math.fround(r));
        expect(s.max).toBeGreaterThan(0.999 * r); // the range is reached, not a smaller one
        expect(s.beyond).toBe(0); // uniform: nothing beyond √3 sd, so nothing beyond 2 sd
      } else {
        // normal: ~4.55% beyond 2 sd, and values beyond He-uniform's √(6/in) = √3 sd exist
        expect(Math.abs(s.beyond - 0.0455)).toBeLessThan(0.006);
        expect(s.max).toBeGreaterThan(Math.sqrt(6 / IN));
      }
    });
  }

  it('dense layers draw with the declared initializer (weights) and start biases at zero', async () => {
    for (const [init, r, variance] of CASES) {
      const model = sequential([dense(IN, OUT, { initializer: init, activation: 'relu' })], { seed: 2 });
      const [p] = await model.getWeights();
      const s = stats(p.W);
      expect(Math.abs(s.variance / variance - 1), JSON.stringify(init)).toBeLessThan(0.04);
      if (r !== null) expect(s.max).toBeLessThanOrEqual(Math.fround(r));
      expect(p.b.every((b) => b === 0)).toBe(true);
    }
  });
});
