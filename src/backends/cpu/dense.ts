/**
 * One dense layer on the CPU, in the lecture's words and the lecture's sign. This file is the reference
 * that every WGSL kernel is tested against, so it is written for reading, not for speed. The fast kernels
 * the CPU backend runs by default are in dense-fast.ts, tested against these.
 *
 *   forward          v = x·Wᵀ + b,  y = f(v)
 *   outputDelta      δ = f'(v)·e,   e = −∂E/∂y = (d − y) for ½Σ(d−y)²
 *   backpropError    e_prev = δ·W   (the error each input of this layer receives; uses W before the update)
 *   hiddenDelta      δ = f'(v)·e
 *   weightChange     D = (1/B)·δᵀ·x,  D_b = (1/B)·Σ δ   (Δw = η·δ·x, averaged over the batch)
 *
 * Shapes: x is rows × inputs, W is units × inputs (W[j*inputs + i] is the weight from input i to unit j),
 * v, y, δ are rows × units. Arrays are Float32Array in training and Float64Array in gradient checks.
 */
import { activate, derivative, softmaxRows } from '../../activations.ts';
import { fusesToTargetMinusOutput, outputError } from '../../losses.ts';
import type { LossName } from '../../losses.ts';
import type { LayerSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export function forward(layer: LayerSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats, y: Floats): void {
  const { inputs, units } = layer;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      let s = layer.bias ? b[j] : 0;
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i] * W[j * inputs + i];
      v[r * units + j] = s;
    }
  }
  if (layer.activation === 'softmax') {
    softmaxRows(v, y, rows, units);
  } else {
    for (let k = 0; k < rows * units; k++) y[k] = activate(layer.activation, v[k], layer.alpha);
  }
}

/** δ at the output layer for targets d; rows ≥ `rows` are left untouched. */
export function outputDelta(layer: LayerSpec, loss: LossName, v: Floats, y: Floats, d: Floats, rows: number, delta: Floats): void {
  const m = layer.units;
  if (fusesToTargetMinusOutput(loss, layer.activation)) {
    for (let k = 0; k < rows * m; k++) delta[k] = d[k] - y[k];
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * m;
    if (layer.activation === 'softmax') {
      // Softmax couples the outputs: δ_i = y_i·(e_i − Σ_j y_j·e_j), the Jacobian–vector product.
      let dot = 0;
      for (let j = 0; j < m; j++) dot += y[o + j] * outputError(loss, y[o + j], d[o + j], m);
      for (let i = 0; i < m; i++) delta[o + i] = y[o + i] * (outputError(loss, y[o + i], d[o + i], m) - dot);
    } else {
      for (let k = o; k < o + m; k++) {
        delta[k] = derivative(layer.activation, v[k], y[k], layer.alpha) * outputError(loss, y[k], d[k], m);
      }
    }
  }
}

/** e_prev = δ·W: rows × inputs. (Loops ordered so the innermost walks W's row contiguously.) */
export function backpropError(layer: LayerSpec, W: Floats, delta: Floats, rows: number, ePrev: Floats): void {
  const { inputs, units } = layer;
  ePrev.fill(0, 0, rows * inputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const d = delta[r * units + j];
      for (let i = 0; i < inputs; i++) ePrev[r * inputs + i] += d * W[j * inputs + i];
    }
  }
}

/** δ = f'(v)·e for a hidden layer (never softmax: softmax is output-only). */
export function hiddenDelta(layer: LayerSpec, v: Floats, y: Floats, e: Floats, rows: number, delta: Floats): void {
  for (let k = 0; k < rows * layer.units; k++) delta[k] = derivative(layer.activation, v[k], y[k], layer.alpha) * e[k];
}

/**
 * D = (1/rows)·δᵀ·x and D_b = (1/rows)·Σ δ: the batch-averaged, downhill weight change before η.
 * Sums pattern by pattern (Σ_r δ_r·x_rᵀ), so the innermost loop walks x and D contiguously.
 */
export function weightChange(layer: LayerSpec, delta: Floats, x: Floats, rows: number, D: Floats, Db: Floats): void {
  const { inputs, units } = layer;
  D.fill(0, 0, units * inputs);
  Db.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const d = delta[r * units + j];
      if (layer.bias) Db[j] += d;
      if (d === 0) continue; // ReLU zeroes many deltas; their row of D gets nothing
      for (let i = 0; i < inputs; i++) D[j * inputs + i] += d * x[r * inputs + i];
    }
  }
  for (let k = 0; k < units * inputs; k++) D[k] /= rows;
  for (let j = 0; j < Db.length; j++) Db[j] /= rows;
}
