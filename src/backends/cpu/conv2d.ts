/**
 * One conv2d layer on the CPU, in the lecture's words and sign: the reference every faster conv kernel (WGSL,
 * WebAssembly) is tested against, so it is written for reading, not for speed. Images are NCHW rows (pixel
 * (c, y, x) of pattern r at r·C·H·W + (c·H + y)·W + x), W is [F, C, kh, kw] (PyTorch), b is [F]. With
 * iy = oy·sy + ky − padTop and ix = ox·sx + kx − padLeft, and x read as 0 outside the image:
 *
 *   forward          v[f, oy, ox] = b[f] + Σ_c Σ_ky Σ_kx W[f, c, ky, kx] · x[c, iy, ix],   y = f(v)
 *   backpropError    e_prev[c, iy, ix] = Σ_f Σ_ky Σ_kx δ[f, oy, ox] · W[f, c, ky, kx]
 *                    (the transposed convolution: each output's δ goes back along the weights that made it;
 *                    uses W before the update)
 *   weightChange     D[f, c, ky, kx] = (1/B) · Σ_r Σ_oy Σ_ox δ[f, oy, ox] · x[c, iy, ix]
 *                    D_b[f] = (1/B) · Σ_r Σ_oy Σ_ox δ[f, oy, ox]   (as dense's D = (1/B)·δᵀ·x, per weight)
 *
 * The deltas δ = f'(v)·e and the output δ are the dense layer's (src/backends/cpu/dense.ts): they act element
 * by element, whatever the layer's shape. Arrays are Float32Array in training and Float64Array in gradient checks.
 */
import { activate, softmaxRows } from '../../activations.ts';
import type { Conv2dSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

/** Visits every (output position, kernel tap) pair whose input pixel lies inside the image, for one filter/channel. */
function eachTap(layer: Conv2dSpec, visit: (o: number, i: number, k: number) => void): void {
  const [, h, w] = layer.inShape;
  const [, oh, ow] = layer.outShape;
  const [kh, kw] = layer.kernel;
  const [sy, sx] = layer.stride;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sy + ky - layer.padTop;
        if (iy < 0 || iy >= h) continue; // a padding row: x is 0 there
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sx + kx - layer.padLeft;
          if (ix < 0 || ix >= w) continue;
          visit(oy * ow + ox, iy * w + ix, ky * kw + kx);
        }
      }
    }
  }
}

export function forward(layer: Conv2dSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats, y: Floats): void {
  const [C, h, w] = layer.inShape;
  const [F, oh, ow] = layer.outShape;
  const taps = layer.kernel[0] * layer.kernel[1];
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * oh * ow; // v[r, f, ·, ·]
      for (let o = 0; o < oh * ow; o++) v[out + o] = layer.bias ? b[f] : 0;
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * h * w; // x[r, c, ·, ·]
        const wfc = (f * C + c) * taps; // W[f, c, ·, ·]
        eachTap(layer, (o, i, k) => {
          v[out + o] += W[wfc + k] * x[inp + i];
        });
      }
    }
  }
  if (layer.activation === 'softmax') {
    softmaxRows(v, y, rows, layer.units);
  } else {
    for (let k = 0; k < rows * layer.units; k++) y[k] = activate(layer.activation, v[k], layer.alpha);
  }
}

/** e_prev (rows × C·H·W): every input pixel's error, summed over the outputs whose windows hold it. */
export function backpropError(layer: Conv2dSpec, W: Floats, delta: Floats, rows: number, ePrev: Floats): void {
  const [C, h, w] = layer.inShape;
  const [F, oh, ow] = layer.outShape;
  const taps = layer.kernel[0] * layer.kernel[1];
  ePrev.fill(0, 0, rows * layer.inputs);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * oh * ow;
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * h * w;
        const wfc = (f * C + c) * taps;
        eachTap(layer, (o, i, k) => {
          ePrev[inp + i] += delta[out + o] * W[wfc + k];
        });
      }
    }
  }
}

/** D (F·C·kh·kw) and D_b (F): the batch-averaged, downhill weight change before η. */
export function weightChange(layer: Conv2dSpec, delta: Floats, x: Floats, rows: number, D: Floats, Db: Floats): void {
  const [C, h, w] = layer.inShape;
  const [F, oh, ow] = layer.outShape;
  const taps = layer.kernel[0] * layer.kernel[1];
  D.fill(0, 0, F * C * taps);
  Db.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * oh * ow;
      if (layer.bias) for (let o = 0; o < oh * ow; o++) Db[f] += delta[out + o];
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * h * w;
        const wfc = (f * C + c) * taps;
        eachTap(layer, (o, i, k) => {
          D[wfc + k] += delta[out + o] * x[inp + i];
        });
      }
    }
  }
  for (let k = 0; k < F * C * taps; k++) D[k] /= rows;
  for (let f = 0; f < Db.length; f++) Db[f] /= rows;
}
