/**
 * The playground's models: each entry turns the network editor's settings into something the page trains and
 * looks inside (a PlaygroundNet). A Sequential is one as it is; the perceptron is one through a thin wrapper
 * over the library's `perceptron(...)` (the training is the library's rule, the wrapper only reports it).
 * Add an entry here (and nothing else) to offer another model. A net may hand the views extra things to draw:
 * points with radii on the plane (`centres`, an RBF network's centres and σ), a line (`line`, the perceptron's
 * w·x + b = 0), what the dense layers see instead of (x1, x2) (`features`, an RBF layer's φ), a status line.
 */
import { dense, perceptron, rbf, sequential } from '../../src/index.ts';
import type { ActivationName, Backend, LayerSpec, LayerParams, LossName, Matrix, OptimizerName } from '../../src/index.ts';

export interface NetworkSettings {
  hidden: number[];
  activation: ActivationName;
  /** 'sigmoid-bce' | 'sigmoid-half' | 'softmax-ce' */
  output: keyof typeof OUTPUTS;
  optimizer: OptimizerName;
  learningRate: number;
  l2: number;
  seed: number;
  /** RBF centres (k-means clusters) */
  centres: number;
}

/** Output layer and loss: one sigmoid unit, or two softmax units (one per class). */
export const OUTPUTS = {
  'sigmoid-bce': { label: 'sigmoid · binary cross-entropy', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy' },
  'sigmoid-half': { label: 'sigmoid · ½·Σ(d−y)²', units: 1, activation: 'sigmoid', loss: 'halfSumSquared' },
  'softmax-ce': { label: 'softmax (2 classes) · cross-entropy', units: 2, activation: 'softmax', loss: 'categoricalCrossentropy' },
  'step-perceptron': { label: 'step · perceptron rule (e = d − y)', units: 1, activation: 'step', loss: 'perceptron' },
} as const satisfies Record<string, { label: string; units: number; activation: ActivationName; loss: LossName }>;

/** What the page needs of a model; a compiled Sequential has all the required members. */
export interface PlaygroundNet {
  /** the dense layers (for each unit's map, the edges and δ on hover) */
  readonly layers: readonly LayerSpec[];
  fit(x: Matrix, y: Matrix, options: { epochs: number; batchSize: number | 'full'; shuffle: boolean }): Promise<unknown>;
  evaluate(x: Matrix, y: Matrix): Promise<{ loss: number; accuracy: number }>;
  predict(x: Matrix): Promise<Matrix>;
  getWeights(): Promise<LayerParams[]>;
  dispose(): Promise<void>;
  /** x as the dense layers see it, when that is not x itself (φ of an RBF layer), with a name per column */
  features?(x: Matrix): Promise<Matrix>;
  featureLabel?: string;
  /** points on the plane with a radius (drawn as a circle), e.g. RBF centres and their σ */
  centres?(): { x: number; y: number; r: number }[];
  /** a line w·x + b = 0 to draw on the plane */
  line?(params: LayerParams[]): { w: [number, number]; b: number } | null;
  /** a sentence on the training so far (the perceptron's errors per epoch), and whether training is over */
  status?(dataset: string): { text: string; done: boolean };
}

export interface PlaygroundModel {
  id: string;
  label: string;
  /** the output · loss this model always uses (the form's choice is set to it) */
  output?: keyof typeof OUTPUTS;
  /** a model for 2 inputs and OUTPUTS[s.output].units outputs; `train` is the training set (k-means, if any) */
  build(s: NetworkSettings, backend: Backend, train: Matrix): Promise<PlaygroundNet>;
}

/** Epochs after which the perceptron stops trying: its rule only ever stops on an epoch without errors. */
export const PERCEPTRON_MAX_EPOCHS = 50;

function compileDense(s: NetworkSettings, backend: Backend, front: ReturnType<typeof rbf> | null) {
  const out = OUTPUTS[s.output];
  const sizes = [front ? front.units : 2, ...(front ? [] : s.hidden), out.units];
  const denseLayers = sizes.slice(1).map((units, i) => dense(sizes[i], units, { activation: i === sizes.length - 2 ? out.activation : s.activation }));
  const m = sequential(front ? [front, ...denseLayers] : denseLayers, { seed: s.seed });
  m.compile({ loss: out.loss, optimizer: { type: s.optimizer, learningRate: s.learningRate, l2: s.l2 }, backend });
  return m;
}

export const MODELS: PlaygroundModel[] = [
  {
    id: 'mlp',
    label: 'multilayer perceptron',
    async build(s, backend) {
      return compileDense(s, backend, null);
    },
  },
  {
    id: 'perceptron',
    label: 'perceptron (one step unit)',
    output: 'step-perceptron',
    async build(s, backend) {
      // the library's simple perceptron: step unit, perceptron rule pattern by pattern, from zero weights
      const p = perceptron(2, { activation: 'step', learningRate: s.learningRate, backend });
      const errorsPerEpoch: number[] = [];
      let converged = false;
      const asRows = (x: Matrix, v: number[]): Matrix => ({ data: Float32Array.from(v), rows: x.rows, cols: 1 });
      return {
        layers: [dense(2, 1, { activation: 'step' })],
        async fit(x, y, { epochs }) {
          if (converged || errorsPerEpoch.length >= PERCEPTRON_MAX_EPOCHS) return;
          const r = await p.train(x, y, { epochs: Math.min(epochs, PERCEPTRON_MAX_EPOCHS - errorsPerEpoch.length) });
          errorsPerEpoch.push(...r.errorsPerEpoch);
          converged = r.converged;
        },
        async evaluate(x, y) {
          // the perceptron loss is 1 per misclassified pattern
          const out = await p.predict(x);
          const wrong = out.filter((v, i) => v !== y.data[i]).length;
          return { loss: wrong / x.rows, accuracy: 1 - wrong / x.rows };
        },
        async predict(x) {
          return asRows(x, await p.predict(x));
        },
        async getWeights() {
          const { weights, bias } = await p.parameters();
          return [{ W: Float32Array.from(weights), b: Float32Array.of(bias) }];
        },
        dispose: () => p.dispose(),
        line(params) {
          const [w1, w2] = params[0].W;
          return w1 === 0 && w2 === 0 ? null : { w: [w1, w2], b: params[0].b[0] };
        },
        status(dataset) {
          const n = errorsPerEpoch.length;
          if (n === 0) return { text: 'perceptron rule: Δw = α·(d − y)·x after each pattern; misclassified per epoch will appear here', done: false };
          const shown = n > 12 ? `… ${errorsPerEpoch.slice(-12).join(', ')}` : errorsPerEpoch.join(', ');
          const head = `misclassified per epoch: ${shown}`;
          if (converged) return { text: `${head} — converged after ${n} epochs: this straight line separates the classes`, done: true };
          if (n >= PERCEPTRON_MAX_EPOCHS) {
            const why = dataset === 'xor'
              ? "no straight line separates XOR's classes, so every epoch misclassifies some pattern — a hidden layer is needed (try the multilayer perceptron)"
              : 'no straight line separated the data in that time; the rule stops only when one does';
            return { text: `${head} — not converged after ${n} epochs: ${why}`, done: true };
          }
          return { text: head, done: false };
        },
      };
    },
  },
  {
    id: 'rbf',
    label: 'RBF network (k-means centres)',
    async build(s, backend, train) {
      // stage 1 now: k-means places the centres and σ on the training points; stage 2 (fit) trains the output layer
      const front = rbf(2, s.centres, { seed: s.seed });
      await front.adapt(train, backend);
      const m = compileDense(s, backend, front);
      const c = front.centers!;
      const sigma = front.sigma!;
      return Object.assign(m, {
        features: (x: Matrix) => front.features(x),
        featureLabel: 'φ',
        centres: () => sigma.map((r, j) => ({ x: c[j * 2], y: c[j * 2 + 1], r })),
      });
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
