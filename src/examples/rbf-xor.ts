/**
 * The RBF lecture's XOR example: four Gaussian units centred on the four patterns with σ = 1, so
 * φ = exp(−r²/2) is 1 on a unit's own pattern, e^−½ ≈ 0.6 one edge away and e^−1 ≈ 0.4 across the
 * diagonal; the output weights (−1, +1, +1, −1) give Σ w·φ ≈ −0.2, 0.2, 0.2, −0.2 (−0.15, 0.15 unrounded)
 * and a unit step on the sum gives XOR's 0, 1, 1, 0 — no hidden layer of sigmoids, no backpropagation.
 * `trainRbfXor` learns output weights instead, from zero, by w_j ← w_j + (α/2)·(d − z)·φ_j,
 * θ ← θ + (α/2)·(d − z) on the linear output z = Σ w·φ + θ (SGD with step α/2 on ½(d − z)²), and
 * classifies with z ≥ ½ (targets 0/1). It finds the lecture's sign pattern (−, +, +, −), not its exact
 * ±1: those were chosen for a step at 0, while the rule fits z to the targets 0 and 1.
 */
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import { sgd } from '../optimizers.ts';
import { rbf } from '../rbf/rbf.ts';
import { createBackend } from '../backends/select.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';
import type { ActivationName } from '../activations.ts';

export const RBF_XOR_INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const RBF_XOR_TARGETS = [[0], [1], [1], [0]];
export const RBF_XOR_WEIGHTS = [-1, 1, 1, -1];

export interface RbfXorResult {
  centers: number[][];
  sigma: number[];
  /** φ per pattern (rows) and unit (columns) */
  phi: number[][];
  weights: number[];
  bias: number;
  /** Σ w·φ + θ per pattern */
  sums: number[];
  outputs: number[];
  /** --train only */
  epochs?: number;
  loss?: number[];
}

async function withBackend<T>(choice: BackendChoice | Backend, run: (b: Backend) => Promise<T>): Promise<T> {
  const backend = typeof choice === 'object' ? choice : await createBackend(choice);
  try {
    return await run(backend);
  } finally {
    if (typeof choice !== 'object') backend.dispose();
  }
}

/** The lecture's network as given, run on the backend: φ, the sums, and the step outputs. */
async function evaluateNetwork(backend: Backend, weights: number[], bias: number, output: ActivationName) {
  const layer = rbf(2, 4, { centers: RBF_XOR_INPUTS, sigma: 1 });
  const run = async (activation: ActivationName) => {
    const model = sequential([layer, dense(4, 1, { activation })]);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(0.1), backend, onNotice: () => {} });
    await model.setWeights([{ W: Float32Array.from(weights), b: Float32Array.of(bias) }]);
    const y = Array.from((await model.predict(RBF_XOR_INPUTS)).data);
    await model.dispose();
    return y;
  };
  const phi = await layer.features(RBF_XOR_INPUTS, backend);
  const sums = await run('linear');
  const outputs = output === 'linear' ? sums.map((z) => (z >= 0.5 ? 1 : 0)) : await run(output);
  return {
    centers: RBF_XOR_INPUTS.map((r) => r.slice()),
    sigma: layer.sigma ?? [],
    phi: Array.from({ length: 4 }, (_, r) => Array.from(phi.data.subarray(r * 4, r * 4 + 4))),
    weights,
    bias,
    sums,
    outputs,
  };
}

/** The lecture's table: weights (−1, +1, +1, −1), θ = 0, a unit step on the sum. */
export function rbfXorLecture(backend: BackendChoice | Backend = 'auto'): Promise<RbfXorResult> {
  return withBackend(backend, (b) => evaluateNetwork(b, RBF_XOR_WEIGHTS, 0, 'step'));
}

/** Learns the output weights from zero with the rule above (online, patterns in order). */
export function trainRbfXor(options: { backend?: BackendChoice | Backend; alpha?: number; epochs?: number } = {}): Promise<RbfXorResult> {
  const alpha = options.alpha ?? 1;
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new RangeError(`alpha must be a positive number, got ${alpha}`);
  return withBackend(options.backend ?? 'auto', async (backend) => {
    const model = sequential([rbf(2, 4, { centers: RBF_XOR_INPUTS, sigma: 1 }), dense(4, 1, { activation: 'linear' })]);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(alpha / 2), backend, onNotice: () => {} });
    await model.setWeights([{ W: new Float32Array(4), b: new Float32Array(1) }]);
    const h = await model.fit(RBF_XOR_INPUTS, RBF_XOR_TARGETS, { epochs: options.epochs ?? 200, batchSize: 1, shuffle: false });
    const [p] = await model.getWeights();
    await model.dispose();
    const r = await evaluateNetwork(backend, Array.from(p.W), p.b[0], 'linear');
    return { ...r, epochs: h.epochs, loss: h.loss };
  });
}
