/**
 * The XOR worked example from the lecture: a 2-2-1 sigmoid network with no biases, online SGD with
 * α = 0.25 on E = ½·Σ(d−y)², starting from the lecture's weights, patterns in the lecture's order.
 * `traceXor` replays it pattern by pattern and reports what the lecture tabulates.
 */
import { sequential } from '../model.ts';
import { dense } from '../layers.ts';
import { sgd } from '../optimizers.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export const XOR_INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const XOR_TARGETS = [[0], [1], [1], [0]];

/** weightsHidden[j][i] is the weight from input i to hidden neuron j, as in the lecture. */
export const XOR_INITIAL = {
  weightsHidden: [
    [0.1, -0.7],
    [0.5, 0.3],
  ],
  weightsOutput: [[0.2, 0.4]],
};

export const XOR_LEARNING_RATE = 0.25;
/** α of the XOR-with-bias trace (`deltagpu xor --bias --trace`, the demo stepper's bias mode). */
export const XOR_BIAS_LEARNING_RATE = 0.5;

/** One row of the lecture's table: the values seen while presenting one pattern. */
export interface XorTraceRow {
  epoch: number;
  /** 1-based pattern number within the epoch */
  pattern: number;
  input: number[];
  target: number[];
  hidden: number[];
  output: number[];
  /** Δo = o·(1−o)·(T−o) */
  deltaOutput: number[];
  /** Δh_j = h_j·(1−h_j)·w_oj·Δo */
  deltaHidden: number[];
  /** after this pattern's update */
  weightsHidden: number[][];
  weightsOutput: number[][];
  /** only when the trace runs with `bias: true`: the biases after this pattern's update */
  biasHidden?: number[];
  biasOutput?: number[];
}

export interface XorTraceOptions {
  /** XOR with bias inputs, from seeded initial weights, instead of the lecture's exact example (no bias) */
  bias?: boolean;
  /** seed of the initial weights with bias (default 1) */
  seed?: number;
  /** α (default 0.25, the lecture's; XOR with bias trains with 0.5 elsewhere) */
  learningRate?: number;
  /** called once, before the first pattern, with the starting weights (as the rows hold them) */
  onStart?: (initial: Pick<XorTraceRow, 'weightsHidden' | 'weightsOutput' | 'biasHidden' | 'biasOutput'>) => void;
}

export function xorWorkedModel(options: { bias?: boolean; seed?: number } = {}) {
  const bias = options.bias ?? false;
  const model = sequential([dense(2, 2, { activation: 'sigmoid', bias }), dense(2, 1, { activation: 'sigmoid', bias })], { seed: options.seed ?? 1 });
  return model;
}

function rows(W: Float32Array, units: number, inputs: number): number[][] {
  return Array.from({ length: units }, (_, j) => Array.from(W.subarray(j * inputs, (j + 1) * inputs)));
}

/** Trains the worked example for `epochs` epochs, calling `onRow` for every pattern presented. */
export async function traceXor(backend: BackendChoice | Backend, epochs: number, onRow: (row: XorTraceRow) => void, options: XorTraceOptions = {}): Promise<void> {
  const bias = options.bias ?? false;
  const model = xorWorkedModel({ bias, seed: options.seed });
  model.compile({ loss: 'halfSumSquared', optimizer: sgd(options.learningRate ?? XOR_LEARNING_RATE), backend, onNotice: () => {} });
  if (!bias) {
    await model.setWeights([
      { W: Float32Array.from(XOR_INITIAL.weightsHidden.flat()), b: new Float32Array(0) },
      { W: Float32Array.from(XOR_INITIAL.weightsOutput.flat()), b: new Float32Array(0) },
    ]);
  }
  const biases = (p: { b: Float32Array }[]) => (bias ? { biasHidden: Array.from(p[0].b), biasOutput: Array.from(p[1].b) } : {});
  if (options.onStart) {
    const p = await model.getWeights();
    options.onStart({ weightsHidden: rows(p[0].W, 2, 2), weightsOutput: rows(p[1].W, 1, 2), ...biases(p) });
  }
  try {
    await model.fit(XOR_INPUTS, XOR_TARGETS, {
      epochs,
      batchSize: 1,
      shuffle: false,
      trace: (t) => {
        const p = t.patterns[0];
        onRow({
          epoch: t.epoch,
          pattern: t.step + 1,
          input: XOR_INPUTS[p],
          target: XOR_TARGETS[p],
          hidden: Array.from(t.y[0]),
          output: Array.from(t.y[1]),
          deltaOutput: Array.from(t.delta[1]),
          deltaHidden: Array.from(t.delta[0]),
          weightsHidden: rows(t.params[0].W, 2, 2),
          weightsOutput: rows(t.params[1].W, 1, 2),
          ...biases(t.params),
        });
      },
    });
  } finally {
    await model.dispose();
  }
}

/** XOR with bias inputs (the MATLAB example): trains until every output is within `tolerance` of its target. */
export async function trainXorWithBias(options: { epochs: number; backend: BackendChoice | Backend; seed?: number; learningRate?: number }) {
  const model = xorWorkedModel({ bias: true, seed: options.seed ?? 1 });
  model.compile({ loss: 'halfSumSquared', optimizer: sgd(options.learningRate ?? 0.5), backend: options.backend, onNotice: () => {} });
  const history = await model.fit(XOR_INPUTS, XOR_TARGETS, { epochs: options.epochs, batchSize: 1, shuffle: false });
  const outputs = Array.from((await model.predict(XOR_INPUTS)).data);
  await model.dispose();
  return { history, outputs };
}
