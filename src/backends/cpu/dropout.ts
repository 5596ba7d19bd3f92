/**
 * Inverted dropout on the CPU. In a training step element e = r·units + k of the batch is kept iff
 * dropoutKeeps(seed, layer, t, e, rate) (src/dropout-mask.ts: Philox, the same draw as the GPU's), with t the
 * updates before this step and `layer` the layer's position in the network:
 *
 *   forward (training)   m_e = dropoutScale(rate) if kept, else 0;   v = y = x · m
 *   forward (inference)  v = y = x   (evaluate and predict see every unit)
 *   backpropError        e_prev = δ · m   (the same mask: a dropped unit passes no error back)
 *
 * The mask is kept from the forward pass for the backward one (drawing it is the costly part).
 */
import { dropoutKeeps, dropoutScale } from '../../dropout-mask.ts';
import type { DropoutSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

/** Whether a forward pass is a training step (dropout active) and, if so, its update count t. */
export interface StepContext {
  training: boolean;
  /** updates before this step (Adam's t − 1): the mask's counter */
  t: number;
}

/** Fills mask[0, rows·units) with 0 or the scale for layer `index` at update count t. */
export function drawMask(layer: DropoutSpec, index: number, t: number, rows: number, mask: Floats): void {
  const scale = dropoutScale(layer.rate);
  for (let e = 0; e < rows * layer.units; e++) mask[e] = dropoutKeeps(layer.seed, index, t, e, layer.rate) ? scale : 0;
}

export function forward(layer: DropoutSpec, x: Floats, rows: number, v: Floats, y: Floats, mask: Floats, training: boolean): void {
  for (let e = 0; e < rows * layer.units; e++) {
    const value = training ? x[e] * mask[e] : x[e];
    v[e] = value;
    y[e] = value;
  }
}

export function backpropError(layer: DropoutSpec, delta: Floats, rows: number, mask: Floats, ePrev: Floats): void {
  for (let e = 0; e < rows * layer.inputs; e++) ePrev[e] = delta[e] * mask[e];
}
