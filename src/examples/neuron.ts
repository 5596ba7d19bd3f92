/**
 * The single-neuron lecture (la neurona sigmoidea): x = (0.1, 0.3), d = 0.03, w = (0.5, 0.2), b = 1.83,
 * E = ½·(d − y)², and the two ways to update it.
 *
 *   rule without the derivative   W(n+1) = W(n) + η·(d − y)·X,   X = (+1, x1, x2), W = (b, w1, w2)
 *   backpropagation gradient      ∂E/∂W = −(d − y)·y·(1 − y)·X,   W ← W − η·∂E/∂W
 *
 * `neuronLecture` does the lecture's arithmetic in float64 (the golden numbers: 1.821556479, 0.499155648,
 * 0.197466943 for η = 0.01). `neuronOnEngine` runs the same two steps through a compiled model on a
 * backend: the first with loss 'perceptron' (δ = d − y, no f'), the second with 'halfSumSquared'
 * (δ = f'·(d − y)), both plain SGD on one pattern — float32, within ~1e-7 of the float64 values.
 */
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import { sgd } from '../optimizers.ts';
import type { LossName } from '../losses.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export const NEURON = { x: [0.1, 0.3], d: 0.03, w: [0.5, 0.2], b: 1.83, eta: 0.01 } as const;

export interface NeuronParams {
  b: number;
  w: number[];
}

export interface NeuronLecture {
  s: number;
  y: number;
  E: number;
  ruleWithoutDerivative: NeuronParams & { E: number };
  /** ∂E/∂b and ∂E/∂w at the starting weights */
  gradient: NeuronParams;
  afterGradientStep: NeuronParams & { E: number };
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));

function errorAt(p: NeuronParams, x: readonly number[], d: number): number {
  const y = sigmoid(p.b + p.w[0] * x[0] + p.w[1] * x[1]);
  return 0.5 * (d - y) ** 2;
}

export function neuronLecture(eta: number = NEURON.eta): NeuronLecture {
  const { x, d, w, b } = NEURON;
  const s = b + w[0] * x[0] + w[1] * x[1];
  const y = sigmoid(s);
  const E = 0.5 * (d - y) ** 2;
  const e = d - y;
  const rule = { b: b + eta * e, w: [w[0] + eta * e * x[0], w[1] + eta * e * x[1]] };
  const g = -e * y * (1 - y);
  const gradient = { b: g, w: [g * x[0], g * x[1]] };
  const step = { b: b - eta * gradient.b, w: [w[0] - eta * gradient.w[0], w[1] - eta * gradient.w[1]] };
  return {
    s,
    y,
    E,
    ruleWithoutDerivative: { ...rule, E: errorAt(rule, x, d) },
    gradient,
    afterGradientStep: { ...step, E: errorAt(step, x, d) },
  };
}

/** The two updates run as one online SGD step of a compiled 2→1 sigmoid model on `backend`. */
export async function neuronOnEngine(backend: BackendChoice | Backend, eta: number = NEURON.eta): Promise<{ backend: string; y: number; E: number; ruleWithoutDerivative: NeuronParams & { E: number }; afterGradientStep: NeuronParams & { E: number } }> {
  const x = [NEURON.x.slice()];
  const d = [[NEURON.d]];
  const model = sequential([dense(2, 1, { activation: 'sigmoid' })]);
  const start = [{ W: Float32Array.from(NEURON.w), b: Float32Array.of(NEURON.b) }];
  const stepWith = async (loss: LossName) => {
    model.compile({ loss, optimizer: sgd(eta), backend, onNotice: () => {} });
    await model.setWeights(start);
    await model.fit(x, d, { epochs: 1, batchSize: 1, shuffle: false });
    const [p] = await model.getWeights();
    const { loss: E } = await model.evaluate(x, d);
    return { b: p.b[0], w: Array.from(p.W), E: E };
  };
  try {
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(eta), backend, onNotice: () => {} });
    await model.setWeights(start);
    const y = (await model.predict(x)).data[0];
    const { loss: E } = await model.evaluate(x, d);
    const ruleWithoutDerivative = await stepWith('perceptron');
    // evaluate() under loss 'perceptron' counts misclassifications; the lecture's E is ½(d − y)²
    ruleWithoutDerivative.E = 0.5 * (NEURON.d - (await model.predict(x)).data[0]) ** 2;
    const afterGradientStep = await stepWith('halfSumSquared');
    return { backend: model.backendName ?? String(backend), y, E, ruleWithoutDerivative, afterGradientStep };
  } finally {
    await model.dispose();
  }
}
