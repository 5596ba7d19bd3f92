/**
 * A whole network on the CPU for one batch: the forward pass through every layer, the deltas from the
 * output back to the first layer, and the weight changes. Generic over Float32Array/Float64Array so
 * gradient checks can run the very same code in double precision.
 */
import * as reference from './dense.ts';
import { patternLoss } from '../../losses.ts';
import type { NetworkSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

/**
 * The dense-layer kernels a network runs on: dense.ts (the readable reference, the default) or
 * dense-fast.ts (the same math written for speed, checked against the reference in the tests).
 */
export interface DenseKernels {
  forward: typeof reference.forward;
  outputDelta: typeof reference.outputDelta;
  backpropError: typeof reference.backpropError;
  hiddenDelta: typeof reference.hiddenDelta;
  weightChange: typeof reference.weightChange;
}

export const referenceKernels: DenseKernels = reference;

export interface Params {
  W: Floats[];
  b: Floats[];
}

/** Scratch arrays for a batch of up to `capacity` rows, allocated once per session. */
export interface Workspace {
  capacity: number;
  v: Floats[];
  y: Floats[];
  delta: Floats[];
  /** e[l] is the error arriving at layer l's outputs from layer l+1 */
  e: Floats[];
  D: Floats[];
  Db: Floats[];
}

export function newWorkspace(spec: NetworkSpec, capacity: number, make: (n: number) => Floats): Workspace {
  const per = (f: (units: number, inputs: number) => number) => spec.layers.map((l) => make(f(l.units, l.inputs)));
  return {
    capacity,
    v: per((u) => capacity * u),
    y: per((u) => capacity * u),
    delta: per((u) => capacity * u),
    e: per((u) => capacity * u),
    D: per((u, i) => u * i),
    Db: per((u) => u),
  };
}

export function forwardPass(spec: NetworkSpec, p: Params, x: Floats, rows: number, ws: Workspace, k: DenseKernels = referenceKernels): Floats {
  let input = x;
  spec.layers.forEach((layer, l) => {
    k.forward(layer, p.W[l], p.b[l], input, rows, ws.v[l], ws.y[l]);
    input = ws.y[l];
  });
  return ws.y[spec.layers.length - 1];
}

/**
 * After forwardPass: every δ, output first, each hidden layer's from the next layer's δ and its
 * weights as they are now (before any update), then every layer's weight change D.
 */
export function backprop(spec: NetworkSpec, p: Params, x: Floats, d: Floats, rows: number, ws: Workspace, k: DenseKernels = referenceKernels): void {
  const last = spec.layers.length - 1;
  k.outputDelta(spec.layers[last], spec.loss, ws.v[last], ws.y[last], d, rows, ws.delta[last]);
  for (let l = last - 1; l >= 0; l--) {
    k.backpropError(spec.layers[l + 1], p.W[l + 1], ws.delta[l + 1], rows, ws.e[l]);
    k.hiddenDelta(spec.layers[l], ws.v[l], ws.y[l], ws.e[l], rows, ws.delta[l]);
  }
  spec.layers.forEach((layer, l) => {
    k.weightChange(layer, ws.delta[l], l === 0 ? x : ws.y[l - 1], rows, ws.D[l], ws.Db[l]);
  });
}

/** Σ per-pattern loss and the number of right predictions for a batch's outputs y against targets d. */
export function batchMetrics(spec: NetworkSpec, y: Floats, d: Floats, rows: number): { lossSum: number; correct: number } {
  const m = spec.layers[spec.layers.length - 1].units;
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    lossSum += patternLoss(spec.loss, y, d, r * m, m);
    if (predictedClass(y, r * m, m) === predictedClass(d, r * m, m)) correct++;
  }
  return { lossSum, correct };
}

/** argmax of a row; a single output is a yes/no decision at 0.5. Ties go to the first index, as on the GPU. */
export function predictedClass(row: ArrayLike<number>, offset: number, m: number): number {
  if (m === 1) return row[offset] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < m; k++) if (row[offset + k] > row[offset + best]) best = k;
  return best;
}

/** A forward pass over a whole data set in chunks: `each` sees every chunk's outputs y and targets d. */
export type Sweep = (each: (y: Floats, d: Floats, from: number, rows: number) => void) => void;

/** Loss and accuracy summed over a sweep (evaluate, for both CPU sessions). */
export function sweepMetrics(spec: NetworkSpec, sweep: Sweep): { lossSum: number; correct: number; count: number } {
  const total = { lossSum: 0, correct: 0, count: 0 };
  sweep((y, d, _from, rows) => {
    const m = batchMetrics(spec, y, d, rows);
    total.lossSum += m.lossSum;
    total.correct += m.correct;
    total.count += rows;
  });
  return total;
}

/** Every row's outputs from a sweep (predict, for both CPU sessions): rows × the last layer's units. */
export function sweepOutputs(spec: NetworkSpec, rows: number, sweep: Sweep): Float32Array {
  const m = spec.layers[spec.layers.length - 1].units;
  const out = new Float32Array(rows * m);
  sweep((y, _d, from, n) => out.set(y.subarray(0, n * m), from * m));
  return out;
}

