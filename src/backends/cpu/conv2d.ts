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

/**
 * Along one axis: for each kernel tap k, the outputs o whose input o·s + k − pad lies inside [0, size), as
 * first[k] ≤ o < end[k]. Outside them the tap reads padding (zeros), which adds nothing, so the loops skip it.
 */
function inside(out: number, size: number, kernel: number, s: number, pad: number): { first: Int32Array; end: Int32Array } {
  const first = new Int32Array(kernel);
  const end = new Int32Array(kernel);
  for (let k = 0; k < kernel; k++) {
    first[k] = Math.max(0, Math.ceil((pad - k) / s));
    end[k] = Math.max(first[k], Math.min(out, Math.floor((size - 1 + pad - k) / s) + 1));
  }
  return { first, end };
}

/** The sizes the loops below read: [C, H, W], [F, OH, OW], kernel, stride, padding. */
function dims(l: Conv2dSpec) {
  const [C, H, W] = l.inShape;
  const [F, OH, OW] = l.outShape;
  const [kh, kw] = l.kernel;
  const [sy, sx] = l.stride;
  return { C, H, W, F, OH, OW, kh, kw, sy, sx, pt: l.padTop, pl: l.padLeft, rows: inside(OH, H, kh, sy, l.padTop), cols: inside(OW, W, kw, sx, l.padLeft) };
}

// The three functions share one loop order: pattern r, filter f, channel c, kernel tap (ky, kx), then every
// output (oy, ox) that tap touches inside the image; the innermost loop walks v/δ and x/e_prev in memory order.
// (Written out in each, rather than shared through a callback, because V8 does not inline a callback that
// three call sites share: that cost 30× here.)

export function forward(layer: Conv2dSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats, y: Floats): void {
  const { C, H, W: w, F, OH, OW, kh, kw, sy, sx, pt, pl, rows: ys, cols: xs } = dims(layer);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * OH * OW; // v[r, f, ·, ·]
      v.fill(layer.bias ? b[f] : 0, out, out + OH * OW);
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * H * w; // x[r, c, ·, ·]
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const weight = W[((f * C + c) * kh + ky) * kw + kx]; // W[f, c, ky, kx]
            for (let oy = ys.first[ky]; oy < ys.end[ky]; oy++) {
              const vRow = out + oy * OW;
              const xRow = inp + (oy * sy + ky - pt) * w + kx - pl; // x[r, c, iy, ix] = xRow + ox·sx
              for (let ox = xs.first[kx], ox1 = xs.end[kx]; ox < ox1; ox++) v[vRow + ox] += weight * x[xRow + ox * sx];
            }
          }
        }
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
  const { C, H, W: w, F, OH, OW, kh, kw, sy, sx, pt, pl, rows: ys, cols: xs } = dims(layer);
  ePrev.fill(0, 0, rows * layer.inputs);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * OH * OW;
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * H * w;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const weight = W[((f * C + c) * kh + ky) * kw + kx];
            for (let oy = ys.first[ky]; oy < ys.end[ky]; oy++) {
              const dRow = out + oy * OW;
              const eRow = inp + (oy * sy + ky - pt) * w + kx - pl;
              for (let ox = xs.first[kx], ox1 = xs.end[kx]; ox < ox1; ox++) ePrev[eRow + ox * sx] += delta[dRow + ox] * weight;
            }
          }
        }
      }
    }
  }
}

/** D (F·C·kh·kw) and D_b (F): the batch-averaged, downhill weight change before η. */
export function weightChange(layer: Conv2dSpec, delta: Floats, x: Floats, rows: number, D: Floats, Db: Floats): void {
  const { C, H, W: w, F, OH, OW, kh, kw, sy, sx, pt, pl, rows: ys, cols: xs } = dims(layer);
  D.fill(0, 0, F * C * kh * kw);
  Db.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const out = r * layer.units + f * OH * OW;
      if (layer.bias) for (let o = 0; o < OH * OW; o++) Db[f] += delta[out + o];
      for (let c = 0; c < C; c++) {
        const inp = r * layer.inputs + c * H * w;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            let s = 0; // Σ over the tap's outputs of δ · x
            for (let oy = ys.first[ky]; oy < ys.end[ky]; oy++) {
              const dRow = out + oy * OW;
              const xRow = inp + (oy * sy + ky - pt) * w + kx - pl;
              for (let ox = xs.first[kx], ox1 = xs.end[kx]; ox < ox1; ox++) s += delta[dRow + ox] * x[xRow + ox * sx];
            }
            D[((f * C + c) * kh + ky) * kw + kx] += s;
          }
        }
      }
    }
  }
  for (let k = 0; k < F * C * kh * kw; k++) D[k] /= rows;
  for (let f = 0; f < Db.length; f++) Db[f] /= rows;
}
