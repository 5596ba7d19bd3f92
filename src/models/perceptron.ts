/**
 * The simple perceptron (perceptrón simple): one layer of threshold units trained by the perceptron rule
 *
 *   y = f(w·x + b),  e = d − y,  Δw = α·e·x,  Δb = α·e   (the bias is a weight on an input fixed at +1)
 *
 * after every pattern, counting the misclassified patterns (e ≠ 0) of each epoch and stopping at the first
 * epoch without one, or at max epochs. It runs on the engine like any model: a dense layer with a threshold
 * activation (src/activations.ts: step, sign, piecewiseLinear) compiled with loss 'perceptron', whose
 * output delta is e itself (no f') and whose per-pattern value is 1 for a misclassified pattern — so the
 * epoch's mean loss × patterns is the error count, and stopAtLoss 0 is "an epoch without errors".
 */
import { activationRange } from '../activations.ts';
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import { sgd } from '../optimizers.ts';
import { toMatrix } from '../tensor.ts';
import type { MatrixLike } from '../tensor.ts';
import { checkFinite, checkPositiveInteger } from '../validate.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export type ThresholdActivation = 'step' | 'sign' | 'piecewiseLinear';

export interface PerceptronOptions {
  /** unit step (default, outputs 0/1), sign (−1/1) or piecewise linear */
  activation?: ThresholdActivation;
  /** α, the learning rate (default 0.1) */
  learningRate?: number;
  /** starting weights, one per input (default zeros) and bias (default 0) */
  weights?: number[];
  bias?: number;
  backend?: BackendChoice | Backend;
}

/** One pattern as the rule saw it (the lectures' training tables). */
export interface PerceptronTraceRow {
  epoch: number;
  /** data set row */
  pattern: number;
  input: number[];
  target: number;
  output: number;
  /** e = d − y */
  error: number;
  /** after this pattern's update */
  weights: number[];
  bias: number;
}

export interface PerceptronResult {
  converged: boolean;
  epochs: number;
  errorsPerEpoch: number[];
  weights: number[];
  bias: number;
}

export class Perceptron {
  readonly inputs: number;
  readonly activation: ThresholdActivation;
  readonly learningRate: number;
  private readonly model: Sequential;
  private readonly start: { W: Float32Array; b: Float32Array };
  private started = false;

  constructor(inputs: number, options: PerceptronOptions = {}) {
    this.inputs = checkPositiveInteger(inputs, 'perceptron: inputs');
    const activation = options.activation ?? 'step';
    if (!['step', 'sign', 'piecewiseLinear'].includes(activation)) {
      throw new RangeError(`perceptron: activation must be step, sign or piecewiseLinear, got '${String(activation)}'`);
    }
    this.activation = activation;
    const lr = options.learningRate ?? 0.1;
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`perceptron: learningRate must be a positive number, got ${lr}`);
    this.learningRate = lr;
    const w = options.weights ?? new Array<number>(inputs).fill(0);
    if (w.length !== inputs) throw new RangeError(`perceptron: weights has ${w.length} values, expected ${inputs} (one per input)`);
    const b = options.bias ?? 0;
    [...w, b].forEach((v) => {
      if (!Number.isFinite(v)) throw new RangeError(`perceptron: initial weights and bias must be finite, got ${v}`);
    });
    this.start = { W: Float32Array.from(w), b: Float32Array.of(b) };
    this.model = sequential([dense(inputs, 1, { activation })]);
    this.model.compile({ loss: 'perceptron', optimizer: sgd(lr), backend: options.backend ?? 'auto', onNotice: () => {} });
  }

  /** Targets must be values the activation can produce: {0, 1} for step, {−1, 1} for sign, [0, 1] for the ramp. */
  private checkTargets(d: Float32Array): void {
    const [lo, hi] = activationRange(this.activation);
    d.forEach((v, r) => {
      const ok = this.activation === 'piecewiseLinear' ? v >= lo && v <= hi : v === lo || v === hi;
      if (!ok) {
        const want = this.activation === 'piecewiseLinear' ? `in [${lo}, ${hi}]` : `${lo} or ${hi}`;
        throw new RangeError(`perceptron: target d of pattern ${r} is ${v}, but a ${this.activation} unit outputs ${want}`);
      }
    });
  }

  /** Trains pattern by pattern, in the given order, until an epoch has no errors or `epochs` have run. */
  async train(xIn: MatrixLike, dIn: MatrixLike, options: { epochs?: number; trace?: (row: PerceptronTraceRow) => void } = {}): Promise<PerceptronResult> {
    const x = toMatrix(xIn, 'x');
    const d = toMatrix(dIn, 'd');
    if (x.cols !== this.inputs) throw new RangeError(`perceptron: x has ${x.cols} columns, expected ${this.inputs} inputs`);
    if (d.cols !== 1 || d.rows !== x.rows) throw new RangeError(`perceptron: d must be ${x.rows}×1 (one target per pattern), got ${d.rows}×${d.cols}`);
    checkFinite(x, 'x');
    checkFinite(d, 'd');
    this.checkTargets(d.data);
    const epochs = checkPositiveInteger(options.epochs ?? 100, 'perceptron: epochs');
    if (!this.started) {
      await this.model.setWeights([this.start]);
      this.started = true;
    }
    const onRow = options.trace;
    const history = await this.model.fit(x, d, {
      epochs,
      batchSize: 1,
      shuffle: false,
      stopAtLoss: 0,
      trace: onRow
        ? (t) => {
            const p = t.patterns[0];
            onRow({
              epoch: t.epoch,
              pattern: p,
              input: Array.from(x.data.subarray(p * x.cols, (p + 1) * x.cols)),
              target: d.data[p],
              output: t.y[0][0],
              error: t.delta[0][0],
              weights: Array.from(t.params[0].W),
              bias: t.params[0].b[0],
            });
          }
        : undefined,
    });
    // the loss is 1 per misclassified pattern, so mean × patterns is the count (exact: small integers)
    const errorsPerEpoch = history.loss.map((l) => Math.round(l * x.rows));
    const { weights, bias } = await this.parameters();
    return { converged: errorsPerEpoch.at(-1) === 0, epochs: history.epochs, errorsPerEpoch, weights, bias };
  }

  async parameters(): Promise<{ weights: number[]; bias: number }> {
    if (!this.started) return { weights: Array.from(this.start.W), bias: this.start.b[0] };
    const [p] = await this.model.getWeights();
    return { weights: Array.from(p.W), bias: p.b[0] };
  }

  async predict(xIn: MatrixLike): Promise<number[]> {
    if (!this.started) {
      await this.model.setWeights([this.start]);
      this.started = true;
    }
    return Array.from((await this.model.predict(xIn)).data);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

/** perceptron(inputs, {activation, learningRate, weights, bias, backend}): a simple perceptron. */
export function perceptron(inputs: number, options: PerceptronOptions = {}): Perceptron {
  return new Perceptron(inputs, options);
}
