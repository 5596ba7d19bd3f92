/**
 * Losses (cost functions) for one pattern, and the error signal they send back.
 *
 * We keep the lecture's sign: the error is e = −∂E/∂y (for ½Σ(d−y)² that is just d − y), the output delta is
 * δ = f'(v)·e, and weights move by Δw = η·δ·x. So every "gradient" in this engine points downhill.
 * The WGSL kernel shaders/output_delta.wgsl implements the same formulas; the ids are shared with it.
 *
 * 'perceptron' is the perceptron rule written as a loss: its per-pattern value is the number of outputs
 * that differ from their targets (so an epoch's loss sum counts the misclassified patterns of a
 * one-output perceptron), and its output delta is e = d − y with no f' (Rosenblatt's rule, which the
 * threshold activations need: their f' is 0). Any other loss's δ is a gradient; this one is not.
 */
export const LOSSES = ['halfSumSquared', 'sumSquared', 'meanSquared', 'binaryCrossentropy', 'categoricalCrossentropy', 'perceptron'] as const;
export type LossName = (typeof LOSSES)[number];

/** Ids used by the WGSL kernels (override constant LOSS). Keep in sync with shaders/output_delta.wgsl. */
export const LOSS_ID: Record<LossName, number> = {
  halfSumSquared: 0,
  sumSquared: 1,
  meanSquared: 2,
  binaryCrossentropy: 3,
  categoricalCrossentropy: 4,
  perceptron: 5,
};

/** Outputs are clamped to [EPS, 1 − EPS] inside logarithms, as Keras does, so ln 0 never happens. */
export const LOG_EPSILON = 1e-7;

export function checkLoss(name: unknown): LossName {
  if (typeof name !== 'string' || !(LOSSES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown loss '${String(name)}'; expected one of ${LOSSES.join(', ')}`);
  }
  return name as LossName;
}

function clampProbability(y: number): number {
  return Math.min(Math.max(y, LOG_EPSILON), 1 - LOG_EPSILON);
}

/** E for one pattern: outputs y and targets d are one row of length m. */
export function patternLoss(loss: LossName, y: ArrayLike<number>, d: ArrayLike<number>, offset: number, m: number): number {
  let e = 0;
  for (let k = 0; k < m; k++) {
    const yk = y[offset + k];
    const dk = d[offset + k];
    switch (loss) {
      case 'halfSumSquared':
        e += 0.5 * (dk - yk) ** 2;
        break;
      case 'sumSquared':
        e += (dk - yk) ** 2;
        break;
      case 'meanSquared':
        e += (dk - yk) ** 2 / m;
        break;
      case 'binaryCrossentropy': {
        const p = clampProbability(yk);
        e -= dk * Math.log(p) + (1 - dk) * Math.log(1 - p);
        break;
      }
      case 'categoricalCrossentropy':
        if (dk !== 0) e -= dk * Math.log(clampProbability(yk));
        break;
      case 'perceptron':
        if (yk !== dk) e += 1;
        break;
    }
  }
  return e;
}

/** e_k = −∂E/∂y_k for one output of one pattern (m outputs in the row). */
export function outputError(loss: LossName, y: number, d: number, m: number): number {
  switch (loss) {
    case 'halfSumSquared':
      return d - y;
    case 'sumSquared':
      return 2 * (d - y);
    case 'meanSquared':
      return (2 / m) * (d - y);
    case 'binaryCrossentropy': {
      const p = clampProbability(y);
      return d / p - (1 - d) / (1 - p);
    }
    case 'categoricalCrossentropy':
      return d / clampProbability(y);
    case 'perceptron':
      return d - y;
  }
}

/**
 * Where the loss and the output activation cancel into δ = d − y: sigmoid with binary cross-entropy,
 * softmax with categorical cross-entropy; and the perceptron rule, which is δ = d − y by definition. Using the fused form is both faster and exact where the
 * chained form would divide by a clamped probability.
 */
export function fusesToTargetMinusOutput(loss: LossName, activation: string): boolean {
  return (loss === 'binaryCrossentropy' && activation === 'sigmoid') || (loss === 'categoricalCrossentropy' && activation === 'softmax') || loss === 'perceptron';
}
