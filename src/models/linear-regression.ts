/**
 * Linear regression (regresión lineal) as the TensorFlow 2 example does it: y = x·w + b with one linear
 * unit, the mean squared error (1/N)·Σ(d − y)² and plain SGD — a dense model with a linear activation on
 * the engine, so it trains on any backend. `leastSquares` is the closed-form solution of the same problem
 * (the normal equations in float64), which SGD approaches.
 */
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import { sgd } from '../optimizers.ts';
import { toMatrix } from '../tensor.ts';
import type { MatrixLike } from '../tensor.ts';
import { checkShapes } from '../validate.ts';
import type { History } from '../trainer.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export interface LinearRegressionOptions {
  /** features per pattern (default 1) */
  inputs?: number;
  /** SGD step (default 0.02, the TF2 example's) */
  learningRate?: number;
  /** starting weights (default zeros) and bias (default 0) */
  weights?: number[];
  bias?: number;
  backend?: BackendChoice | Backend;
}

export class LinearRegression {
  readonly inputs: number;
  readonly model: Sequential;
  private readonly start: { W: Float32Array; b: Float32Array };
  private started = false;

  constructor(options: LinearRegressionOptions = {}) {
    this.inputs = options.inputs ?? 1;
    const lr = options.learningRate ?? 0.02;
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`linearRegression: learningRate must be a positive number, got ${lr}`);
    const w = options.weights ?? new Array<number>(this.inputs).fill(0);
    if (w.length !== this.inputs) throw new RangeError(`linearRegression: weights has ${w.length} values, expected ${this.inputs}`);
    this.start = { W: Float32Array.from(w), b: Float32Array.of(options.bias ?? 0) };
    this.model = sequential([dense(this.inputs, 1, { activation: 'linear' })]);
    this.model.compile({ loss: 'meanSquared', optimizer: sgd(lr), backend: options.backend ?? 'auto', onNotice: () => {} });
  }

  private async ensureStarted(): Promise<void> {
    if (this.started) return;
    await this.model.setWeights([this.start]);
    this.started = true;
  }

  /** batchSize 1 = online SGD (default), else mini-batch; the loss history is the MSE per epoch. */
  async fit(x: MatrixLike, y: MatrixLike, options: { epochs?: number; batchSize?: number | 'full'; shuffle?: boolean } = {}): Promise<History> {
    await this.ensureStarted();
    return this.model.fit(x, y, { epochs: options.epochs ?? 100, batchSize: options.batchSize ?? 1, shuffle: options.shuffle ?? true });
  }

  async parameters(): Promise<{ weights: number[]; bias: number }> {
    await this.ensureStarted();
    const [p] = await this.model.getWeights();
    return { weights: Array.from(p.W), bias: p.b[0] };
  }

  async predict(x: MatrixLike): Promise<number[]> {
    await this.ensureStarted();
    return Array.from((await this.model.predict(x)).data);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

export function linearRegression(options: LinearRegressionOptions = {}): LinearRegression {
  return new LinearRegression(options);
}

/**
 * The least-squares fit y ≈ x·w + b in float64: solves the normal equations (AᵀA)·θ = Aᵀy for θ = (w, b),
 * A = [x | 1], by Gaussian elimination with partial pivoting. Throws if the columns are dependent
 * (e.g. every x equal), where no unique line exists.
 */
export function leastSquares(xIn: MatrixLike, yIn: MatrixLike): { weights: number[]; bias: number } {
  const x = toMatrix(xIn, 'x');
  const y = toMatrix(yIn, 'y');
  checkShapes(x, y, x.cols, 1);
  const n = x.cols + 1;
  const M = Array.from({ length: n }, () => new Float64Array(n + 1));
  const a = (r: number, c: number) => (c === x.cols ? 1 : x.data[r * x.cols + c]);
  for (let r = 0; r < x.rows; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) M[i][j] += a(r, i) * a(r, j);
      M[i][n] += a(r, i) * y.data[r];
    }
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (!(Math.abs(M[p][c]) > 1e-12 * Math.max(1, Math.abs(M[c][c])))) throw new RangeError('leastSquares: the inputs do not determine a unique line (x has no spread)');
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const theta = M.map((row, i) => row[n] / row[i]);
  return { weights: theta.slice(0, x.cols), bias: theta[x.cols] };
}
