/**
 * The playground's models: each entry turns the network editor's settings into a compiled Sequential.
 * Add an entry here (and nothing else) to offer another model, e.g. the perceptron or the RBF network once
 * the library has them; `centres` lets a model hand the view points to draw on the plane (RBF centres).
 */
import { dense, sequential } from '../../src/index.ts';
import type { ActivationName, Backend, LayerParams, LossName, OptimizerName, Sequential } from '../../src/index.ts';

export interface NetworkSettings {
  hidden: number[];
  activation: ActivationName;
  /** 'sigmoid-bce' | 'sigmoid-half' | 'softmax-ce' */
  output: keyof typeof OUTPUTS;
  optimizer: OptimizerName;
  learningRate: number;
  l2: number;
  seed: number;
}

/** Output layer and loss: one sigmoid unit, or two softmax units (one per class). */
export const OUTPUTS = {
  'sigmoid-bce': { label: 'sigmoid · binary cross-entropy', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy' },
  'sigmoid-half': { label: 'sigmoid · ½·Σ(d−y)²', units: 1, activation: 'sigmoid', loss: 'halfSumSquared' },
  'softmax-ce': { label: 'softmax (2 classes) · cross-entropy', units: 2, activation: 'softmax', loss: 'categoricalCrossentropy' },
} as const satisfies Record<string, { label: string; units: number; activation: ActivationName; loss: LossName }>;

export interface PlaygroundModel {
  id: string;
  label: string;
  /** a compiled model for 2 inputs and OUTPUTS[s.output].units outputs */
  build(s: NetworkSettings, backend: Backend): Sequential;
  /** points to draw on the plane for the current weights (none for an MLP) */
  centres?(model: Sequential, params: LayerParams[]): { x: number; y: number }[];
}

export const MODELS: PlaygroundModel[] = [
  {
    id: 'mlp',
    label: 'multilayer perceptron',
    build(s, backend) {
      const out = OUTPUTS[s.output];
      const sizes = [2, ...s.hidden, out.units];
      const m = sequential(
        sizes.slice(1).map((units, i) => dense(sizes[i], units, { activation: i === sizes.length - 2 ? out.activation : s.activation })),
        { seed: s.seed },
      );
      m.compile({ loss: out.loss, optimizer: { type: s.optimizer, learningRate: s.learningRate, l2: s.l2 }, backend });
      return m;
    },
  },
];

/** Targets for the chosen output: one column of 0/1, or one-hot over two columns. */
export function targetsFor(labels: Uint8Array, output: NetworkSettings['output']): { data: Float32Array; rows: number; cols: number } {
  const cols = OUTPUTS[output].units;
  const data = new Float32Array(labels.length * cols);
  labels.forEach((c, i) => {
    if (cols === 1) data[i] = c;
    else data[i * 2 + c] = 1;
  });
  return { data, rows: labels.length, cols };
}

/** P(class 1) of each row of a model's outputs. */
export function probabilityOfOne(out: { data: Float32Array; rows: number; cols: number }): Float32Array {
  return out.cols === 1 ? out.data : Float32Array.from({ length: out.rows }, (_, i) => out.data[i * 2 + 1]);
}
