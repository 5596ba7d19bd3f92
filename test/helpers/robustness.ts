/** Shared fixtures for the training-robustness tests (issue 10) on the CPU and the GPU. */
import { adam, dense, sequential, sgd } from '../../src/index.ts';
import type { CompileOptions, FitOptions, Sequential } from '../../src/model.ts';
import type { Backend, LayerParams } from '../../src/backend.ts';
import { Random } from '../../src/random.ts';

/** Three noisy clusters in the plane, one-hot targets. */
export function blobs(n: number, seed: number) {
  const rng = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([Math.cos((2 * Math.PI * c) / 3) + 0.3 * rng.normal(), Math.sin((2 * Math.PI * c) / 3) + 0.3 * rng.normal()]);
    y.push([0, 1, 2].map((k) => (k === c ? 1 : 0)));
  }
  return { x, y };
}

export interface DivergingCase {
  name: string;
  model: () => Sequential;
  data: () => { x: number[][]; y: number[][] };
  compile: Omit<CompileOptions, 'backend'>;
  fit: FitOptions & { batchSize: number; epochs: number };
  /** whether the weights (not only the loss) are named */
  expectLayers: boolean;
  /** the trap: the step's loss is still finite while the weights are not */
  finiteLoss: boolean;
}

/** The examples: a huge learning rate with ReLU, and Adam with epsilon 0. */
export const divergingCases: DivergingCase[] = [
  {
    name: 'huge learning rate with ReLU and clamped probabilities (sigmoid + binary cross-entropy)',
    model: () => sequential([dense(2, 16, { activation: 'relu' }), dense(16, 1, { activation: 'sigmoid' })], { seed: 2 }),
    data: () => {
      const { x, y } = blobs(48, 1);
      return { x, y: y.map((r) => [r[0]]) };
    },
    compile: { loss: 'binaryCrossentropy', optimizer: sgd(1e10) },
    fit: { epochs: 4, batchSize: 4 },
    expectLayers: true,
    finiteLoss: true,
  },
  {
    name: 'huge learning rate with ReLU and softmax (the loss turns NaN too)',
    model: () => sequential([dense(2, 16, { activation: 'relu' }), dense(16, 3, { activation: 'softmax' })], { seed: 2 }),
    data: () => blobs(48, 1),
    compile: { loss: 'categoricalCrossentropy', optimizer: sgd(1e18) },
    fit: { epochs: 4, batchSize: 4 },
    expectLayers: true,
    finiteLoss: false,
  },
  {
    name: 'Adam with epsilon 0 (an input that is always 0 gives 0/0)',
    model: () => sequential([dense(3, 8, { activation: 'relu' }), dense(8, 3, { activation: 'softmax' })], { seed: 4 }),
    data: () => {
      const { x, y } = blobs(48, 2);
      return { x: x.map((r) => [...r, 0]), y };
    },
    compile: { loss: 'categoricalCrossentropy', optimizer: adam(0.01, { epsilon: 0 }) },
    fit: { epochs: 3, batchSize: 8 },
    expectLayers: true,
    finiteLoss: true,
  },
];

/**
 * The weights an identical model has right before `step` of `epoch` (1-based): trained one step per tick
 * and stopped there through an AbortSignal.
 */
export async function weightsBefore(c: DivergingCase, backend: 'cpu' | Backend, epoch: number, step: number): Promise<LayerParams[]> {
  const { x, y } = c.data();
  const m = c.model();
  m.compile({ ...c.compile, backend });
  const steps = Math.ceil(x.length / c.fit.batchSize);
  const target = (epoch - 1) * steps + (step - 1);
  if (target === 0) return m.getWeights();
  const stop = new AbortController();
  await m
    .fit(x, y, {
      ...c.fit,
      ticksPerEpoch: steps,
      signal: stop.signal,
      callbacks: { onProgress: (p) => { if ((p.epoch - 1) * steps + Math.ceil(p.done / c.fit.batchSize) === target) stop.abort(); } },
    })
    .catch(() => {});
  return m.getWeights();
}
