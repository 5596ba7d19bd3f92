/**
 * Max and average pooling on the CPU (the reference), per channel over size windows moved by stride, no padding:
 *
 *   forward (max)    y[c, oy, ox] = max_{i<ph, j<pw} x[c, oy·sy + i, ox·sx + j]
 *   forward (avg)    y[c, oy, ox] = (1/(ph·pw)) · Σ_{i, j} x[c, oy·sy + i, ox·sx + j]
 *   backpropError    max: the window's δ goes to its first maximum (row-major within the window, strictly
 *                    greater replaces), as on the GPU; avg: δ/(ph·pw) to every pixel of the window.
 *                    Overlapping windows (stride < size) add up; pixels no window covers get 0.
 * No parameters, activation linear: v = y, and the layer before gets δ = f'(v)·e from this e.
 */
import type { Pool2dSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

/** The offset (within one channel's map) of window (oy, ox)'s first maximum in x. */
function argmaxInWindow(layer: Pool2dSpec, x: Floats, map: number, oy: number, ox: number): number {
  const w = layer.inShape[2];
  const [ph, pw] = layer.size;
  let best = (oy * layer.stride[0]) * w + ox * layer.stride[1];
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const at = (oy * layer.stride[0] + i) * w + ox * layer.stride[1] + j;
      if (x[map + at] > x[map + best]) best = at;
    }
  }
  return best;
}

export function forward(layer: Pool2dSpec, x: Floats, rows: number, v: Floats, y: Floats): void {
  const [C, h, w] = layer.inShape;
  const [, oh, ow] = layer.outShape;
  const [ph, pw] = layer.size;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const map = r * layer.inputs + c * h * w;
      const out = r * layer.units + c * oh * ow;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let value: number;
          if (layer.kind === 'maxPool2d') {
            value = x[map + argmaxInWindow(layer, x, map, oy, ox)];
          } else {
            let s = 0;
            for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) s += x[map + (oy * layer.stride[0] + i) * w + ox * layer.stride[1] + j];
            value = s / (ph * pw);
          }
          v[out + oy * ow + ox] = value;
          y[out + oy * ow + ox] = value;
        }
      }
    }
  }
}

/** e_prev (rows × C·H·W) from δ; x is the layer's input (max pooling finds its maxima again). */
export function backpropError(layer: Pool2dSpec, x: Floats, delta: Floats, rows: number, ePrev: Floats): void {
  const [C, h, w] = layer.inShape;
  const [, oh, ow] = layer.outShape;
  const [ph, pw] = layer.size;
  ePrev.fill(0, 0, rows * layer.inputs);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const map = r * layer.inputs + c * h * w;
      const out = r * layer.units + c * oh * ow;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const d = delta[out + oy * ow + ox];
          if (layer.kind === 'maxPool2d') {
            ePrev[map + argmaxInWindow(layer, x, map, oy, ox)] += d;
          } else {
            for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) ePrev[map + (oy * layer.stride[0] + i) * w + ox * layer.stride[1] + j] += d / (ph * pw);
          }
        }
      }
    }
  }
}
