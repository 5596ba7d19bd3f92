// A plain-loop float64 training step for layer lists of every kind, written from the formulas of src/backend.ts
// alone (NCHW, PyTorch layouts, padTop/padLeft, first-max pooling, dropout via dropoutKeeps), to check the
// WebAssembly network session against: nothing here calls the engine's kernels. Loss: softmax + categorical
// cross-entropy (δ_out = d − y, the lecture's downhill sign); the update is plain SGD (W += η·D).
import { activate, derivative } from '../../src/activations.ts';
import type { LayerSpec } from '../../src/backend.ts';
import { dropoutKeeps, dropoutScale } from '../../src/dropout-mask.ts';

export interface OracleParams {
  W: Float64Array;
  b: Float64Array;
}

interface Trace {
  v: Float64Array[];
  y: Float64Array[];
  delta: Float64Array[];
  /** max pooling: the input index each output came from */
  arg: Int32Array[];
}

/** x[n, c, y, x] of an NCHW batch row, 0 outside the image */
function pixel(x: Float64Array, n: number, C: number, H: number, W: number, c: number, iy: number, ix: number): number {
  return iy < 0 || iy >= H || ix < 0 || ix >= W ? 0 : x[((n * C + c) * H + iy) * W + ix];
}

function forwardLayer(l: LayerSpec, index: number, p: OracleParams, x: Float64Array, N: number, t: number, training: boolean, tr: Trace): void {
  const v = new Float64Array(N * l.units);
  const arg = new Int32Array(N * l.units);
  if (l.kind === 'conv2d') {
    const [C, H, W] = l.inShape;
    const [F, OH, OW] = l.outShape;
    const [kh, kw] = l.kernel;
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            let s = l.bias ? p.b[f] : 0;
            for (let c = 0; c < C; c++)
              for (let ky = 0; ky < kh; ky++)
                for (let kx = 0; kx < kw; kx++) s += p.W[((f * C + c) * kh + ky) * kw + kx] * pixel(x, n, C, H, W, c, oy * l.stride[0] + ky - l.padTop, ox * l.stride[1] + kx - l.padLeft);
            v[((n * F + f) * OH + oy) * OW + ox] = s;
          }
  } else if (l.kind === 'maxPool2d' || l.kind === 'avgPool2d') {
    const [C, H, W] = l.inShape;
    const [, OH, OW] = l.outShape;
    const [ph, pw] = l.size;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            let best = -Infinity;
            let where = -1;
            let sum = 0;
            for (let ky = 0; ky < ph; ky++)
              for (let kx = 0; kx < pw; kx++) {
                const k = ((n * C + c) * H + oy * l.stride[0] + ky) * W + ox * l.stride[1] + kx;
                sum += x[k];
                if (x[k] > best) [best, where] = [x[k], k];
              }
            const o = ((n * C + c) * OH + oy) * OW + ox;
            v[o] = l.kind === 'maxPool2d' ? best : sum / (ph * pw);
            arg[o] = where;
          }
  } else if (l.kind === 'dropout') {
    for (let k = 0; k < N * l.units; k++) v[k] = !training ? x[k] : dropoutKeeps(l.seed, index, t, k, l.rate) ? x[k] * dropoutScale(l.rate) : 0;
  } else if (l.kind === 'flatten') {
    v.set(x.subarray(0, N * l.units));
  } else {
    for (let n = 0; n < N; n++)
      for (let j = 0; j < l.units; j++) {
        let s = l.bias ? p.b[j] : 0;
        for (let i = 0; i < l.inputs; i++) s += x[n * l.inputs + i] * p.W[j * l.inputs + i];
        v[n * l.units + j] = s;
      }
  }
  const y = new Float64Array(N * l.units);
  if (l.activation === 'softmax') {
    for (let n = 0; n < N; n++) {
      const row = v.subarray(n * l.units, (n + 1) * l.units);
      const m = Math.max(...row);
      const e = row.map((a) => Math.exp(a - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < l.units; j++) y[n * l.units + j] = e[j] / z;
    }
  } else for (let k = 0; k < y.length; k++) y[k] = activate(l.activation, v[k], l.alpha);
  tr.v.push(v);
  tr.y.push(y);
  tr.arg.push(arg);
}

/** e at layer l's input from δ_l (layer l's parameters as they are) */
function inputError(l: LayerSpec, p: OracleParams, delta: Float64Array, arg: Int32Array, N: number): Float64Array {
  const e = new Float64Array(N * l.inputs);
  if (l.kind === 'conv2d') {
    const [C, H, W] = l.inShape;
    const [F, OH, OW] = l.outShape;
    const [kh, kw] = l.kernel;
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            const d = delta[((n * F + f) * OH + oy) * OW + ox];
            for (let c = 0; c < C; c++)
              for (let ky = 0; ky < kh; ky++)
                for (let kx = 0; kx < kw; kx++) {
                  const iy = oy * l.stride[0] + ky - l.padTop;
                  const ix = ox * l.stride[1] + kx - l.padLeft;
                  if (iy >= 0 && iy < H && ix >= 0 && ix < W) e[((n * C + c) * H + iy) * W + ix] += d * p.W[((f * C + c) * kh + ky) * kw + kx];
                }
          }
  } else if (l.kind === 'maxPool2d') {
    for (let o = 0; o < N * l.units; o++) e[arg[o]] += delta[o];
  } else if (l.kind === 'avgPool2d') {
    const [C, H, W] = l.inShape;
    const [, OH, OW] = l.outShape;
    const [ph, pw] = l.size;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let ky = 0; ky < ph; ky++)
              for (let kx = 0; kx < pw; kx++) e[((n * C + c) * H + oy * l.stride[0] + ky) * W + ox * l.stride[1] + kx] += delta[((n * C + c) * OH + oy) * OW + ox] / (ph * pw);
  } else if (l.kind === 'dropout') {
    throw new Error('dropout is handled by the caller (it needs the forward mask)');
  } else if (l.kind === 'flatten') {
    e.set(delta);
  } else {
    for (let n = 0; n < N; n++) for (let j = 0; j < l.units; j++) for (let i = 0; i < l.inputs; i++) e[n * l.inputs + i] += delta[n * l.units + j] * p.W[j * l.inputs + i];
  }
  return e;
}

/** D (downhill, batch-averaged) for W and b */
function weightChange(l: LayerSpec, delta: Float64Array, x: Float64Array, N: number, p: OracleParams): OracleParams {
  const D = { W: new Float64Array(p.W.length), b: new Float64Array(p.b.length) };
  if (l.kind === 'conv2d') {
    const [C, H, W] = l.inShape;
    const [F, OH, OW] = l.outShape;
    const [kh, kw] = l.kernel;
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            const d = delta[((n * F + f) * OH + oy) * OW + ox];
            if (l.bias) D.b[f] += d / N;
            for (let c = 0; c < C; c++)
              for (let ky = 0; ky < kh; ky++)
                for (let kx = 0; kx < kw; kx++) D.W[((f * C + c) * kh + ky) * kw + kx] += (d * pixel(x, n, C, H, W, c, oy * l.stride[0] + ky - l.padTop, ox * l.stride[1] + kx - l.padLeft)) / N;
          }
  } else {
    for (let n = 0; n < N; n++)
      for (let j = 0; j < l.units; j++) {
        if (l.bias) D.b[j] += delta[n * l.units + j] / N;
        for (let i = 0; i < l.inputs; i++) D.W[j * l.inputs + i] += (delta[n * l.units + j] * x[n * l.inputs + i]) / N;
      }
  }
  return D;
}

/**
 * One SGD step on a batch (NCHW rows x, one-hot d), in place on `params`; t = updates before it (the dropout
 * counter). Returns the trace (v, y, δ per layer, NCHW) of the step.
 */
export function oracleStep(layers: readonly LayerSpec[], params: OracleParams[], x: Float64Array, d: Float64Array, N: number, t: number, lr: number): Trace {
  const tr: Trace = { v: [], y: [], delta: [], arg: [] };
  layers.forEach((l, i) => forwardLayer(l, i, params[i], i === 0 ? x : tr.y[i - 1], N, t, true, tr));
  const last = layers.length - 1;
  const deltas: Float64Array[] = [];
  deltas[last] = Float64Array.from(d, (dk, k) => dk - tr.y[last][k]);
  for (let l = last; l > 0; l--) {
    const layer = layers[l];
    let e: Float64Array;
    if (layer.kind === 'dropout') {
      e = Float64Array.from(deltas[l], (dk, k) => (dropoutKeeps(layer.seed, l, t, k, layer.rate) ? dk * dropoutScale(layer.rate) : 0));
    } else e = inputError(layer, params[l], deltas[l], tr.arg[l], N);
    const prev = layers[l - 1];
    deltas[l - 1] = Float64Array.from(e, (ek, k) => derivative(prev.activation, tr.v[l - 1][k], tr.y[l - 1][k], prev.alpha) * ek);
  }
  tr.delta = deltas;
  const changes = layers.map((l, i) => (l.kind === undefined || l.kind === 'dense' || l.kind === 'conv2d' ? weightChange(l, deltas[i], i === 0 ? x : tr.y[i - 1], N, params[i]) : null));
  changes.forEach((D, i) => {
    if (!D) return;
    for (let k = 0; k < D.W.length; k++) params[i].W[k] += lr * D.W[k];
    for (let k = 0; k < D.b.length; k++) params[i].b[k] += lr * D.b[k];
  });
  return tr;
}
