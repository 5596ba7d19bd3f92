/**
 * Flatten on the CPU: NCHW rows are already PyTorch's flatten order (channel, row, column), so the forward
 * pass copies x to v = y and the error passes back unchanged, e_prev = δ.
 */
import type { FlattenSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export function forward(layer: FlattenSpec, x: Floats, rows: number, v: Floats, y: Floats): void {
  const n = rows * layer.units;
  v.set(x.subarray(0, n));
  y.set(x.subarray(0, n));
}

export function backpropError(layer: FlattenSpec, delta: Floats, rows: number, ePrev: Floats): void {
  ePrev.set(delta.subarray(0, rows * layer.inputs));
}
