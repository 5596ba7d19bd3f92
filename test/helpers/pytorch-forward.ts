/**
 * An independent forward pass for saved models, written from PyTorch's documented semantics alone and using
 * none of the engine's code: a safetensors reader from the published layout, and torch.nn's layers in
 * float64 plain loops:
 *
 *   Linear(W [out, in], b [out])            y = x Wᵀ + b
 *   Conv2d(W [F, C, kh, kw], b [F])          cross-correlation, NCHW, zero padding (top, left, bottom, right)
 *   MaxPool2d / AvgPool2d(k, s)             no padding, floor rounding
 *   Flatten()                               (C, H, W) → C·H·W in row-major order
 *   activations as torch.nn.functional defines them (softmax over dim 1)
 *
 * The architecture is written by each test by hand, as a PyTorch user writes nn.Sequential; only the
 * parameters come from the file, by their PyTorch names.
 */

export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** safetensors: u64 LE header length, JSON header, then little-endian data at data_offsets. */
export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, TorchTensor>; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensors: Record<string, TorchTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as unknown as Record<string, string>;
      continue;
    }
    if (info.dtype !== 'F32') throw new Error(`${name}: dtype ${info.dtype}`);
    const [b, e] = info.data_offsets;
    const data = new Float32Array((e - b) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(8 + n + b + 4 * i, true);
    tensors[name] = { shape: info.shape, data };
  }
  return { tensors, metadata };
}

/** A batch: N patterns, each with shape [C, H, W] or [features]. */
export interface Batch {
  n: number;
  shape: number[];
  data: Float64Array;
}

export type TorchLayer =
  | { linear: string }
  | { conv2d: string; stride: [number, number]; padding: [number, number, number, number] }
  | { maxPool2d: [number, number]; stride: [number, number] }
  | { avgPool2d: [number, number]; stride: [number, number] }
  | { flatten: true }
  | { act: 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'softmax' | 'sign' | 'identity' }
  | { leakyRelu: number }
  /** any other elementwise function, defined by the test */
  | { map: (v: number) => number };

const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

function param(tensors: Record<string, TorchTensor>, name: string): TorchTensor {
  const t = tensors[name];
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
}

function linear(x: Batch, W: TorchTensor, b: TorchTensor | undefined): Batch {
  const [out, inp] = W.shape;
  if (x.shape.length !== 1 || x.shape[0] !== inp) throw new Error(`Linear expects [${inp}], got [${x.shape}]`);
  const y = new Float64Array(x.n * out);
  for (let r = 0; r < x.n; r++) {
    for (let j = 0; j < out; j++) {
      let s = b ? b.data[j] : 0;
      for (let i = 0; i < inp; i++) s += x.data[r * inp + i] * W.data[j * inp + i];
      y[r * out + j] = s;
    }
  }
  return { n: x.n, shape: [out], data: y };
}

function conv2d(x: Batch, W: TorchTensor, b: TorchTensor | undefined, stride: [number, number], pad: [number, number, number, number]): Batch {
  const [F, C, kh, kw] = W.shape;
  const [c, h, w] = x.shape;
  if (c !== C) throw new Error(`Conv2d expects ${C} channels, got ${c}`);
  const [sy, sx] = stride;
  const [pt, pl, pb, pr] = pad;
  const oh = Math.floor((h + pt + pb - kh) / sy) + 1;
  const ow = Math.floor((w + pl + pr - kw) / sx) + 1;
  const y = new Float64Array(x.n * F * oh * ow);
  for (let r = 0; r < x.n; r++) {
    for (let f = 0; f < F; f++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = b ? b.data[f] : 0;
          for (let ch = 0; ch < C; ch++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sy + ky - pt;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sx + kx - pl;
                if (ix < 0 || ix >= w) continue;
                s += W.data[((f * C + ch) * kh + ky) * kw + kx] * x.data[((r * C + ch) * h + iy) * w + ix];
              }
            }
          }
          y[((r * F + f) * oh + oy) * ow + ox] = s;
        }
      }
    }
  }
  return { n: x.n, shape: [F, oh, ow], data: y };
}

function pool(x: Batch, k: [number, number], stride: [number, number], max: boolean): Batch {
  const [c, h, w] = x.shape;
  const oh = Math.floor((h - k[0]) / stride[0]) + 1;
  const ow = Math.floor((w - k[1]) / stride[1]) + 1;
  const y = new Float64Array(x.n * c * oh * ow);
  for (let r = 0; r < x.n; r++) {
    for (let ch = 0; ch < c; ch++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let acc = max ? -Infinity : 0;
          for (let ky = 0; ky < k[0]; ky++) {
            for (let kx = 0; kx < k[1]; kx++) {
              const v = x.data[((r * c + ch) * h + oy * stride[0] + ky) * w + ox * stride[1] + kx];
              acc = max ? Math.max(acc, v) : acc + v;
            }
          }
          y[((r * c + ch) * oh + oy) * ow + ox] = max ? acc : acc / (k[0] * k[1]);
        }
      }
    }
  }
  return { n: x.n, shape: [c, oh, ow], data: y };
}

function elementwise(x: Batch, f: (v: number) => number): Batch {
  return { ...x, data: x.data.map(f) };
}

function softmax(x: Batch): Batch {
  const m = size(x.shape);
  const y = new Float64Array(x.data.length);
  for (let r = 0; r < x.n; r++) {
    const row = x.data.subarray(r * m, (r + 1) * m);
    const top = Math.max(...row);
    let sum = 0;
    for (let i = 0; i < m; i++) sum += y[r * m + i] = Math.exp(row[i] - top);
    for (let i = 0; i < m; i++) y[r * m + i] /= sum;
  }
  return { ...x, data: y };
}

/** Runs nn.Sequential(layers) on x with the parameters named in `layers` (e.g. 'layers.0'). */
export function torchForward(layers: TorchLayer[], tensors: Record<string, TorchTensor>, x: Batch): Batch {
  let cur = x;
  for (const l of layers) {
    if ('linear' in l) cur = linear(cur, param(tensors, `${l.linear}.weight`), tensors[`${l.linear}.bias`]);
    else if ('conv2d' in l) cur = conv2d(cur, param(tensors, `${l.conv2d}.weight`), tensors[`${l.conv2d}.bias`], l.stride, l.padding);
    else if ('maxPool2d' in l) cur = pool(cur, l.maxPool2d, l.stride, true);
    else if ('avgPool2d' in l) cur = pool(cur, l.avgPool2d, l.stride, false);
    else if ('flatten' in l) cur = { ...cur, shape: [size(cur.shape)] };
    else if ('map' in l) cur = elementwise(cur, l.map);
    else if ('leakyRelu' in l) cur = elementwise(cur, (v) => (v >= 0 ? v : l.leakyRelu * v));
    else if (l.act === 'relu') cur = elementwise(cur, (v) => Math.max(v, 0));
    else if (l.act === 'sigmoid') cur = elementwise(cur, (v) => 1 / (1 + Math.exp(-v)));
    else if (l.act === 'tanh') cur = elementwise(cur, Math.tanh);
    else if (l.act === 'softplus') cur = elementwise(cur, (v) => Math.log1p(Math.exp(v)));
    else if (l.act === 'sign') cur = elementwise(cur, Math.sign);
    else if (l.act === 'softmax') cur = softmax(cur);
  }
  return cur;
}
