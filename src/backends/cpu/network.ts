/**
 * A whole network on the CPU for one batch: the forward pass through every layer, the deltas from the
 * output back to the first layer, and the weight changes. Generic over Float32Array/Float64Array so
 * gradient checks can run the very same code in double precision.
 *
 * Each layer kind has its own file with its forward pass, backpropError and weightChange (the math is written
 * there): dense.ts, conv2d.ts, pool2d.ts, flatten.ts, dropout.ts. This file only walks the list and, in
 * forwardLayer / errorToInput / layerWeightChange, sends each layer to its kind's functions: one switch per step.
 * δ = f'(v)·e (hiddenDelta) and the output δ act element by element and are the same for every kind.
 */
import * as reference from './dense.ts';
import * as conv from './conv2d.ts';
import * as pool from './pool2d.ts';
import * as flat from './flatten.ts';
import * as drop from './dropout.ts';
import type { StepContext } from './dropout.ts';
import { patternLoss } from '../../losses.ts';
import { biasCount, isDense, weightCount } from '../../backend.ts';
import type { LayerSpec, NetworkSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export type { StepContext } from './dropout.ts';

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

/** The conv2d kernels: conv2d.ts (the reference, the default) or a faster set with the same signatures. */
export interface Conv2dKernels {
  forward: typeof conv.forward;
  backpropError: typeof conv.backpropError;
  weightChange: typeof conv.weightChange;
}

/** What a network runs on: dense kernels, and optionally faster conv2d kernels (else conv2d.ts). */
export type CpuKernels = DenseKernels & { conv2d?: Conv2dKernels };

export const referenceKernels: DenseKernels = reference;

/** A forward pass outside training: dropout passes everything through. */
export const INFERENCE: StepContext = { training: false, t: 0 };

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
  /** dropout layers: the multiplier (0 or 1/(1 − rate)) per element of the latest training pass; empty otherwise */
  mask: Floats[];
  /** whether the latest forward pass was a training step (its dropout masks are then in `mask`) */
  training: boolean;
}

/** D_b's length: dense keeps `units` (as it always has, bias or not), conv2d its filters, others none. */
function biasChangeLength(l: LayerSpec): number {
  if (isDense(l)) return l.units;
  return l.kind === 'conv2d' ? l.filters : biasCount(l);
}

export function newWorkspace(spec: NetworkSpec, capacity: number, make: (n: number) => Floats): Workspace {
  const per = (f: (l: LayerSpec) => number) => spec.layers.map((l) => make(f(l)));
  return {
    capacity,
    v: per((l) => capacity * l.units),
    y: per((l) => capacity * l.units),
    delta: per((l) => capacity * l.units),
    e: per((l) => capacity * l.units),
    D: per(weightCount),
    Db: per(biasChangeLength),
    mask: per((l) => (l.kind === 'dropout' ? capacity * l.units : 0)),
    training: false,
  };
}

/** Layer l's forward pass: v and y from its input x. */
function forwardLayer(layer: LayerSpec, l: number, p: Params, x: Floats, rows: number, ws: Workspace, k: CpuKernels, step: StepContext): void {
  if (isDense(layer)) return k.forward(layer, p.W[l], p.b[l], x, rows, ws.v[l], ws.y[l]);
  switch (layer.kind) {
    case 'conv2d':
      return (k.conv2d ?? conv).forward(layer, p.W[l], p.b[l], x, rows, ws.v[l], ws.y[l]);
    case 'maxPool2d':
    case 'avgPool2d':
      return pool.forward(layer, x, rows, ws.v[l], ws.y[l]);
    case 'flatten':
      return flat.forward(layer, x, rows, ws.v[l], ws.y[l]);
    case 'dropout':
      if (step.training) drop.drawMask(layer, l, step.t, rows, ws.mask[l]);
      return drop.forward(layer, x, rows, ws.v[l], ws.y[l], ws.mask[l], step.training);
  }
}

/** e_prev: the error layer l sends back to its input x, from its δ (with W before the update). */
function errorToInput(layer: LayerSpec, l: number, p: Params, x: Floats, rows: number, ws: Workspace, k: CpuKernels, ePrev: Floats): void {
  if (isDense(layer)) return k.backpropError(layer, p.W[l], ws.delta[l], rows, ePrev);
  switch (layer.kind) {
    case 'conv2d':
      return (k.conv2d ?? conv).backpropError(layer, p.W[l], ws.delta[l], rows, ePrev);
    case 'maxPool2d':
    case 'avgPool2d':
      return pool.backpropError(layer, x, ws.delta[l], rows, ePrev);
    case 'flatten':
      return flat.backpropError(layer, ws.delta[l], rows, ePrev);
    case 'dropout':
      // after an inference pass (patternDeltas) nothing was dropped: the error passes through
      if (!ws.training) return void ePrev.set(ws.delta[l].subarray(0, rows * layer.inputs));
      return drop.backpropError(layer, ws.delta[l], rows, ws.mask[l], ePrev);
  }
}

/** D and D_b of a layer with parameters, from its δ and its input x; nothing for the others. */
function layerWeightChange(layer: LayerSpec, l: number, x: Floats, rows: number, ws: Workspace, k: CpuKernels): void {
  if (isDense(layer)) return k.weightChange(layer, ws.delta[l], x, rows, ws.D[l], ws.Db[l]);
  if (layer.kind === 'conv2d') (k.conv2d ?? conv).weightChange(layer, ws.delta[l], x, rows, ws.D[l], ws.Db[l]);
}

/** `step` says whether this is a training step (dropout active, with its update count t); default: inference. */
export function forwardPass(spec: NetworkSpec, p: Params, x: Floats, rows: number, ws: Workspace, k: CpuKernels = referenceKernels, step: StepContext = INFERENCE): Floats {
  let input = x;
  ws.training = step.training;
  spec.layers.forEach((layer, l) => {
    forwardLayer(layer, l, p, input, rows, ws, k, step);
    input = ws.y[l];
  });
  return ws.y[spec.layers.length - 1];
}

/**
 * After forwardPass: every δ, output first, each hidden layer's from the next layer's δ and its
 * weights as they are now (before any update), then every layer's weight change D.
 */
export function backprop(spec: NetworkSpec, p: Params, x: Floats, d: Floats, rows: number, ws: Workspace, k: CpuKernels = referenceKernels): void {
  const last = spec.layers.length - 1;
  k.outputDelta(spec.layers[last], spec.loss, ws.v[last], ws.y[last], d, rows, ws.delta[last]);
  for (let l = last - 1; l >= 0; l--) {
    errorToInput(spec.layers[l + 1], l + 1, p, ws.y[l], rows, ws, k, ws.e[l]);
    k.hiddenDelta(spec.layers[l], ws.v[l], ws.y[l], ws.e[l], rows, ws.delta[l]);
  }
  spec.layers.forEach((layer, l) => {
    layerWeightChange(layer, l, l === 0 ? x : ws.y[l - 1], rows, ws, k);
  });
}

/**
 * After backprop: the error e = −∂E/∂x arriving at the network's inputs (rows × the first layer's inputs), from
 * layer 0's δ: what gradient checks test each kind's backpropError against, and what a saliency map shows.
 */
export function inputError(spec: NetworkSpec, p: Params, x: Floats, rows: number, ws: Workspace, ePrev: Floats, k: CpuKernels = referenceKernels): void {
  errorToInput(spec.layers[0], 0, p, x, rows, ws, k, ePrev);
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

