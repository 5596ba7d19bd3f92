/**
 * The TensorFlow 2 linear regression example: 100 points x ~ N(1, 0.1), y = x·(N(1, 0.05) − 0.5) — a line
 * of slope ≈ 0.5 through the origin with multiplicative noise — fitted by one weight and one bias, MSE
 * and SGD with learning rate 0.02. Drawn from our seeded generator, so a seed fixes the data.
 */
import { Random } from '../random.ts';
import { leastSquares, linearRegression } from '../models/linear-regression.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export function tf2RegressionData(count = 100, seed = 1): { x: number[][]; y: number[][] } {
  const rng = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let k = 0; k < count; k++) {
    const xk = 1 + 0.1 * rng.normal();
    x.push([xk]);
    y.push([xk * (1 + 0.05 * rng.normal() - 0.5)]);
  }
  return { x, y };
}

export interface LinearFitResult {
  weight: number;
  bias: number;
  loss: number[];
  leastSquares: { weight: number; bias: number };
  x: number[];
  y: number[];
}

export async function linearFit(options: { epochs?: number; learningRate?: number; batchSize?: number; seed?: number; backend?: BackendChoice | Backend } = {}): Promise<LinearFitResult> {
  const { x, y } = tf2RegressionData(100, options.seed ?? 1);
  const model = linearRegression({ learningRate: options.learningRate ?? 0.02, backend: options.backend ?? 'auto' });
  try {
    const h = await model.fit(x, y, { epochs: options.epochs ?? 300, batchSize: options.batchSize ?? 1 });
    const p = await model.parameters();
    const ls = leastSquares(x, y);
    return { weight: p.weights[0], bias: p.bias, loss: h.loss, leastSquares: { weight: ls.weights[0], bias: ls.bias }, x: x.map((r) => r[0]), y: y.map((r) => r[0]) };
  } finally {
    await model.dispose();
  }
}
