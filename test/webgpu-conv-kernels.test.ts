/**
 * The conv2d, pooling, dropout and flatten kernels (shaders/conv2d_*.wgsl, pool2d_*.wgsl, philox.wgsl,
 * dropout_*.wgsl), each through its layer kind's wiring (src/backends/webgpu/<kind>.ts), against plain loops
 * written here from the formulas in src/backend.ts (NCHW, PyTorch's W [F, C, KH, KW], padTop/padLeft, first
 * maximum) — in float64, and in a different order from the kernels (the input gradient scatters where the
 * kernel gathers). Odd shapes: stride 2, 'same' with even kernels, 1×1, non-square images and kernels, 1 and
 * 3 channels, batch 1, widths that are not multiples of 4, more filters than one tile.
 *
 * Tolerance: a value summing n terms of O(1) size errs in float32 by at most about n·2⁻²⁴·(1 + |value|); we
 * allow stepTolerance(n) = 4·n·2⁻²³ (8× that), far below what a wrong index or sign produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, randomArray, sharedGpu } from './helpers/gpu.ts';
import { KernelHarness } from './helpers/layer-kernels.ts';
import type { Conv2dSpec, DropoutSpec, Pool2dSpec } from '../src/backend.ts';
import type { ActivationName } from '../src/activations.ts';
import { OPTIMIZER_ID } from '../src/optimizers.ts';
import { conv2dDispatches, conv2dPipelines, CONV_KERNELS } from '../src/backends/webgpu/conv2d.ts';
import type { ConvKernel } from '../src/backends/webgpu/conv2d.ts';
import { pool2dDispatches, pool2dPipelines } from '../src/backends/webgpu/pool2d.ts';
import { dropoutDispatches, dropoutPipelines } from '../src/backends/webgpu/dropout.ts';
import { flattenDispatches, flattenPipelines } from '../src/backends/webgpu/flatten.ts';
import { assemble } from '../src/backends/webgpu/shaders.ts';
import { dropoutKeeps, dropoutScale, philox4x32 } from '../src/dropout-mask.ts';
import { stepTolerance } from '../src/verify/tolerance.ts';

const ok = await haveGpu();

// ---- the oracle: plain loops from src/backend.ts's formulas ----

type Act = 'linear' | 'relu' | 'tanh' | 'sigmoid';
const f = (a: Act, v: number) => (a === 'relu' ? Math.max(v, 0) : a === 'tanh' ? Math.tanh(v) : a === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : v);
const df = (a: Act, v: number, y: number) => (a === 'relu' ? (v > 0 ? 1 : 0) : a === 'tanh' ? 1 - y * y : a === 'sigmoid' ? y * (1 - y) : 1);

/** A conv2d spec as backend.ts defines it: 'valid' or 'same' (Keras/PyTorch: the odd pixel bottom/right). */
function convSpec(inShape: [number, number, number], filters: number, kernel: [number, number], stride: [number, number], padding: 'valid' | 'same', activation: Act, bias = true): Conv2dSpec {
  const [C, H, W] = inShape;
  const out = (n: number, k: number, s: number) => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const OH = out(H, kernel[0], stride[0]);
  const OW = out(W, kernel[1], stride[1]);
  const total = (o: number, k: number, s: number, n: number) => (padding === 'same' ? Math.max((o - 1) * s + k - n, 0) : 0);
  return {
    kind: 'conv2d', inShape, outShape: [filters, OH, OW], filters, kernel, stride,
    padTop: Math.floor(total(OH, kernel[0], stride[0], H) / 2), padLeft: Math.floor(total(OW, kernel[1], stride[1], W) / 2),
    inputs: C * H * W, units: filters * OH * OW, activation, bias, alpha: 0.2,
  };
}

function poolSpec(kind: 'maxPool2d' | 'avgPool2d', inShape: [number, number, number], size: [number, number], stride: [number, number]): Pool2dSpec {
  const [C, H, W] = inShape;
  const OH = Math.floor((H - size[0]) / stride[0]) + 1;
  const OW = Math.floor((W - size[1]) / stride[1]) + 1;
  return { kind, inShape, outShape: [C, OH, OW], size, stride, inputs: C * H * W, units: C * OH * OW, activation: 'linear', bias: false, alpha: 0.2 };
}

/** x[r][c, y, x] or 0 outside the image */
const pixel = (x: Float32Array, s: Conv2dSpec, r: number, c: number, y: number, xx: number) => {
  const [C, H, W] = s.inShape;
  return y < 0 || xx < 0 || y >= H || xx >= W ? 0 : x[r * C * H * W + (c * H + y) * W + xx];
};

/** v = b[f] + Σ W[f,c,ky,kx]·x[c, oy·sy+ky−padTop, ox·sx+kx−padLeft] */
function convForward(s: Conv2dSpec, x: Float32Array, Wt: Float32Array, b: Float32Array | null, rows: number): Float64Array {
  const [C] = s.inShape;
  const [F, OH, OW] = s.outShape;
  const [KH, KW] = s.kernel;
  const v = new Float64Array(rows * s.units);
  for (let r = 0; r < rows; r++)
    for (let fo = 0; fo < F; fo++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let sum = b ? b[fo] : 0;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                sum += Wt[((fo * C + c) * KH + ky) * KW + kx] * pixel(x, s, r, c, oy * s.stride[0] + ky - s.padTop, ox * s.stride[1] + kx - s.padLeft);
              }
          v[r * s.units + (fo * OH + oy) * OW + ox] = sum;
        }
  return v;
}

/** e[c, y, x] by scattering every δ[f, oy, ox]·W[f, c, ky, kx] to the pixel its tap read (the kernel gathers) */
function convInputError(s: Conv2dSpec, delta: Float32Array, Wt: Float32Array, rows: number): Float64Array {
  const [C, H, W] = s.inShape;
  const [F, OH, OW] = s.outShape;
  const [KH, KW] = s.kernel;
  const e = new Float64Array(rows * s.inputs);
  for (let r = 0; r < rows; r++)
    for (let fo = 0; fo < F; fo++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++)
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const y = oy * s.stride[0] + ky - s.padTop;
                const xx = ox * s.stride[1] + kx - s.padLeft;
                if (y < 0 || xx < 0 || y >= H || xx >= W) continue;
                e[r * s.inputs + (c * H + y) * W + xx] += delta[r * s.units + (fo * OH + oy) * OW + ox] * Wt[((fo * C + c) * KH + ky) * KW + kx];
              }
  return e;
}

/** G[f,c,ky,kx] = Σ_r Σ_oy,ox δ[f,oy,ox]·x[c, oy·sy+ky−padTop, …]; the bias gradient Σ_r Σ_p δ[f,p] */
function convGradients(s: Conv2dSpec, delta: Float32Array, x: Float32Array, rows: number): { G: Float64Array; Gb: Float64Array } {
  const [C] = s.inShape;
  const [F, OH, OW] = s.outShape;
  const [KH, KW] = s.kernel;
  const G = new Float64Array(F * C * KH * KW);
  const Gb = new Float64Array(F);
  for (let r = 0; r < rows; r++)
    for (let fo = 0; fo < F; fo++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const d = delta[r * s.units + (fo * OH + oy) * OW + ox];
          Gb[fo] += d;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                G[((fo * C + c) * KH + ky) * KW + kx] += d * pixel(x, s, r, c, oy * s.stride[0] + ky - s.padTop, ox * s.stride[1] + kx - s.padLeft);
              }
        }
  return { G, Gb };
}

/** pooling forward, and for max the input index of each window's first maximum (row-major in the window) */
function poolForward(s: Pool2dSpec, x: Float32Array, rows: number): { y: Float64Array; argmax: Int32Array } {
  const [C, H, W] = s.inShape;
  const [, OH, OW] = s.outShape;
  const [PH, PW] = s.size;
  const y = new Float64Array(rows * s.units);
  const argmax = new Int32Array(rows * s.units);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let best = -Infinity;
          let at = -1;
          let sum = 0;
          for (let ky = 0; ky < PH; ky++)
            for (let kx = 0; kx < PW; kx++) {
              const k = (c * H + oy * s.stride[0] + ky) * W + ox * s.stride[1] + kx;
              const v = x[r * s.inputs + k];
              sum += v;
              if (v > best) {
                best = v;
                at = k;
              }
            }
          const o = r * s.units + (c * OH + oy) * OW + ox;
          y[o] = s.kind === 'maxPool2d' ? best : sum / (PH * PW);
          argmax[o] = at;
        }
  return { y, argmax };
}

/** pooling's input error: each window's δ to its first maximum, or δ/(PH·PW) to every pixel of it */
function poolInputError(s: Pool2dSpec, x: Float32Array, delta: Float32Array, rows: number): Float64Array {
  const [C, H, W] = s.inShape;
  const [, OH, OW] = s.outShape;
  const [PH, PW] = s.size;
  const { argmax } = poolForward(s, x, rows);
  const e = new Float64Array(rows * s.inputs);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const o = r * s.units + (c * OH + oy) * OW + ox;
          if (s.kind === 'maxPool2d') e[r * s.inputs + argmax[o]] += delta[o];
          else
            for (let ky = 0; ky < PH; ky++)
              for (let kx = 0; kx < PW; kx++) e[r * s.inputs + (c * H + oy * s.stride[0] + ky) * W + ox * s.stride[1] + kx] += delta[o] / (PH * PW);
        }
  return e;
}

function expectClose(gpu: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  expect(gpu.length, what).toBe(ref.length);
  for (let k = 0; k < ref.length; k++) {
    const err = Math.abs(gpu[k] - ref[k]) / (1 + Math.abs(ref[k]));
    if (!(err <= tol)) expect.fail(`${what}[${k}]: gpu ${gpu[k]}, reference ${ref[k]} (error ${err.toExponential(2)} > ${tol.toExponential(2)})`);
  }
}

/** the layer below: v random, y = f(v); the tested layer's input is y */
function below(n: number, act: Act, seed: number) {
  const v = randomArray(n, seed).map((t) => 2 * t);
  const y = v.map((t) => f(act, t));
  return { v, y };
}

const CONV_CASES: { name: string; spec: Conv2dSpec; rows: number; below: Act }[] = [
  { name: '1 channel 7×5, 3 filters 3×3, valid', spec: convSpec([1, 7, 5], 3, [3, 3], [1, 1], 'valid', 'relu'), rows: 2, below: 'tanh' },
  { name: '3 channels 6×7, 2 filters 2×2 (even) same, batch 1', spec: convSpec([3, 6, 7], 2, [2, 2], [1, 1], 'same', 'tanh'), rows: 1, below: 'relu' },
  { name: '3 channels 9×8, 5 filters 3×2, stride 2, same', spec: convSpec([3, 9, 8], 5, [3, 2], [2, 2], 'same', 'sigmoid'), rows: 3, below: 'relu' },
  { name: '2 channels 5×5, 4 filters 1×1, stride 2', spec: convSpec([2, 5, 5], 4, [1, 1], [2, 2], 'valid', 'linear', false), rows: 2, below: 'sigmoid' },
  { name: '1 channel 4×6, 1 filter over the whole image', spec: convSpec([1, 4, 6], 1, [4, 6], [1, 1], 'valid', 'relu'), rows: 1, below: 'linear' },
  { name: '2 channels 11×10, 37 filters 3×3 same (two filter tiles, 18 terms)', spec: convSpec([2, 11, 10], 37, [3, 3], [1, 1], 'same', 'relu'), rows: 2, below: 'relu' },
];

describe.skipIf(!ok)('conv2d kernels vs plain loops', () => {
  let h: KernelHarness;
  beforeAll(async () => {
    h = new KernelHarness((await sharedGpu())!);
  });
  afterAll(() => h?.dispose());

  CONV_CASES.forEach(({ name, spec, rows, below: act }, n) => {
    it(`${name}: forward (${CONV_KERNELS.join(', ')}), input error with f' fused, filter and bias update`, async () => {
      const K = spec.inShape[0] * spec.kernel[0] * spec.kernel[1];
      const lower = below(rows * spec.inputs, act, 10 + n);
      const Wt = randomArray(spec.filters * K, 20 + n).map((w) => w / Math.sqrt(K));
      const b = spec.bias ? randomArray(spec.filters, 30 + n).map((w) => 0.1 * w) : null;
      const deltaHost = randomArray(rows * spec.units, 40 + n);
      const lr = 0.1;
      const l2 = 0.01;
      const v = convForward(spec, lower.y, Wt, b, rows);
      for (const kernel of CONV_KERNELS as ConvKernel[]) {
        const params = h.params(Wt, spec.filters, K, b);
        const ctx = h.context({
          capacity: rows, training: true, step: h.step(rows, 1),
          input: h.batch('x', lower.y, rows, spec.inputs), V: h.empty('V', rows, spec.units), Y: h.empty('Y', rows, spec.units),
          delta: h.batch('δ', deltaHost, rows, spec.units),
          below: { V: h.batch('v below', lower.v, rows, spec.inputs), Y: h.batch('y below', lower.y, rows, spec.inputs), delta: h.empty('δ below', rows, spec.inputs) },
          params, hyper: h.hyper(lr, l2),
        });
        const pipes = await conv2dPipelines(h.kernels, spec, { activation: act as ActivationName, alpha: 0.2 }, OPTIMIZER_ID.sgd, kernel);
        const d = conv2dDispatches(ctx, spec, pipes, kernel, 1);
        h.run(d.forward);
        expectClose(await h.read(ctx.V, rows, spec.units), v, stepTolerance(K), `${kernel} v`);
        expectClose(await h.read(ctx.Y, rows, spec.units), v.map((t) => f(spec.activation as Act, t)), stepTolerance(K), `${kernel} y`);
        if (kernel !== 'direct') continue; // the other passes have one kernel each
        h.run(d.backprop);
        const e = convInputError(spec, deltaHost, Wt, rows);
        const dPrev = e.map((t, k) => df(act, lower.v[k], lower.y[k]) * t);
        expectClose(await h.read(ctx.below!.delta, rows, spec.inputs), dPrev, stepTolerance(spec.filters * K), 'δ below');
        h.run(d.update);
        const { G, Gb } = convGradients(spec, deltaHost, lower.y, rows);
        const P = spec.outShape[1] * spec.outShape[2];
        // SGD: W ← W + η·(G/rows − λ·W); b ← b + η·Gb/rows (no L2 on biases)
        const W1 = Array.from(Wt, (w, k) => w + lr * (G[k] / rows - l2 * w));
        expectClose(await h.read(params.W, spec.filters, K), W1, stepTolerance(rows * P), 'W after the update');
        if (b) expectClose(await h.read(params.b!, 1, spec.filters), Array.from(b, (t, k) => t + (lr * Gb[k]) / rows), stepTolerance(rows * P), 'b after the update');
      }
    });
  });

  it('Adam through the filter update (t from the Step record)', async () => {
    const spec = convSpec([2, 6, 5], 3, [3, 3], [1, 1], 'valid', 'relu');
    const rows = 2;
    const K = 18;
    const x = randomArray(rows * spec.inputs, 1);
    const Wt = randomArray(spec.filters * K, 2);
    const b = randomArray(spec.filters, 3);
    const deltaHost = randomArray(rows * spec.units, 4);
    const params = h.params(Wt, spec.filters, K, b);
    const ctx = h.context({
      capacity: rows, training: true, step: h.step(rows, 3), input: h.batch('x', x, rows, spec.inputs),
      V: h.empty('V', rows, spec.units), Y: h.empty('Y', rows, spec.units), delta: h.batch('δ', deltaHost, rows, spec.units), below: null, params, hyper: h.hyper(0.01),
    });
    const pipes = await conv2dPipelines(h.kernels, spec, null, OPTIMIZER_ID.adam, 'direct');
    h.run(conv2dDispatches(ctx, spec, pipes, 'direct', 0).update);
    const { G, Gb } = convGradients(spec, deltaHost, x, rows);
    // fresh moments, t = 3: m = (1−β1)g, v = (1−β2)g², W −= η·m̂/(√v̂ + ε), g = −D
    const adam = (p: number, D: number) => {
      const g = -D;
      const m = 0.1 * g;
      const v = 0.001 * g * g;
      return p - (0.01 * (m / (1 - 0.9 ** 3))) / (Math.sqrt(v / (1 - 0.999 ** 3)) + 1e-7);
    };
    const tol = stepTolerance(rows * spec.units);
    expectClose(await h.read(params.W, spec.filters, K), Array.from(Wt, (w, k) => adam(w, G[k] / rows)), tol, 'W (adam)');
    expectClose(await h.read(params.b!, 1, spec.filters), Array.from(b, (t, k) => adam(t, Gb[k] / rows)), tol, 'b (adam)');
  });
});

const POOL_CASES: { spec: Pool2dSpec; rows: number; below: Act }[] = [
  { spec: poolSpec('maxPool2d', [1, 5, 7], [2, 2], [2, 2]), rows: 2, below: 'relu' },
  { spec: poolSpec('maxPool2d', [3, 5, 5], [3, 3], [2, 2]), rows: 1, below: 'tanh' },
  { spec: poolSpec('maxPool2d', [2, 4, 6], [2, 3], [1, 1]), rows: 3, below: 'linear' },
  { spec: poolSpec('avgPool2d', [3, 5, 5], [3, 3], [2, 2]), rows: 2, below: 'relu' },
  { spec: poolSpec('avgPool2d', [2, 4, 6], [2, 3], [1, 1]), rows: 1, below: 'sigmoid' },
];

describe.skipIf(!ok)('pooling kernels vs plain loops', () => {
  let h: KernelHarness;
  beforeAll(async () => {
    h = new KernelHarness((await sharedGpu())!);
  });
  afterAll(() => h?.dispose());

  POOL_CASES.forEach(({ spec, rows, below: act }, n) => {
    const s = spec;
    it(`${s.kind} ${s.inShape.join('×')} size ${s.size.join('×')} stride ${s.stride.join('×')}, ${rows} rows, below ${act}: forward and input error (ties: first maximum)`, async () => {
      // values on a coarse grid, so windows hold ties and "first maximum" is tested, not assumed
      const lower = below(rows * s.inputs, act, 50 + n);
      lower.v = lower.v.map((t) => Math.round(t * 2) / 2);
      lower.y = lower.v.map((t) => f(act, t));
      const deltaHost = randomArray(rows * s.units, 60 + n);
      const Y = h.empty('Y', rows, s.units);
      const ctx = h.context({
        capacity: rows, training: true, step: h.step(rows, 1), input: h.batch('x', lower.y, rows, s.inputs), V: Y, Y,
        delta: h.batch('δ', deltaHost, rows, s.units),
        below: { V: h.batch('v below', lower.v, rows, s.inputs), Y: h.batch('y below', lower.y, rows, s.inputs), delta: h.empty('δ below', rows, s.inputs) },
        params: h.params(new Float32Array(0), 0, 0, null), hyper: h.hyper(0.1),
      });
      const d = pool2dDispatches(ctx, s, await pool2dPipelines(h.kernels, s, { activation: act as ActivationName, alpha: 0.2 }), 1);
      expect(d.update).toEqual([]);
      h.run(d.forward);
      const window = s.size[0] * s.size[1];
      expectClose(await h.read(Y, rows, s.units), poolForward(s, lower.y, rows).y, stepTolerance(window), 'y');
      h.run(d.backprop);
      const e = poolInputError(s, lower.y, deltaHost, rows);
      expectClose(await h.read(ctx.below!.delta, rows, s.inputs), e.map((t, k) => df(act, lower.v[k], lower.y[k]) * t), stepTolerance(window), 'δ below');
    });
  });
});

describe.skipIf(!ok)('Philox and dropout kernels vs src/dropout-mask.ts', () => {
  let h: KernelHarness;
  beforeAll(async () => {
    h = new KernelHarness((await sharedGpu())!);
  });
  afterAll(() => h?.dispose());

  it('philox.wgsl gives Philox4x32-10 word for word on 4,099 random counters and keys', async () => {
    const n = 4099;
    const words = (seed: number, k: number) => Uint32Array.from(randomArray(k, seed), (t) => Math.floor((t + 1) * 2 ** 31) >>> 0);
    const counters = words(1, 4 * n);
    const keys = words(2, 2 * n);
    const code = `${await assemble(['philox'])}
@group(0) @binding(0) var<storage, read> counters: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<u32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < ${n}u) { out[gid.x] = philox4x32(counters[gid.x], keys[gid.x]); }
}`;
    const device = h.gpu.device;
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const out = h.mem.storage('out', 16 * n);
    const group = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [h.mem.upload('counters', counters), h.mem.upload('keys', keys), out].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    h.run([{ pipeline, group, size: [Math.ceil(n / 64), 1] }]);
    const [raw] = await h.mem.readMany([{ buffer: out, bytes: 16 * n }]);
    const got = new Uint32Array(raw.buffer, raw.byteOffset, 4 * n);
    for (let e = 0; e < n; e++) {
      const want = philox4x32(Array.from(counters.subarray(4 * e, 4 * e + 4)), Array.from(keys.subarray(2 * e, 2 * e + 2)));
      if (want.some((w, k) => got[4 * e + k] !== w)) expect.fail(`element ${e}: gpu ${Array.from(got.subarray(4 * e, 4 * e + 4))}, cpu ${want}`);
    }
  });

  for (const rate of [0.5, 0.1, 0.9, 0]) {
    it(`dropout ${rate}: the forward mask equals dropoutKeeps bit for bit (64 rows × 67 units), kept values × dropoutScale, backward with f' fused`, async () => {
      const rows = 64;
      const units = 67;
      const seed = 0x9e3779b9 + rate * 1000;
      const l = 3;
      const t = 7; // updates before this step: the Step record's t is 8
      const spec: DropoutSpec = { kind: 'dropout', rate, seed, inputs: units, units, activation: 'linear', bias: false, alpha: 0.2 };
      const lower = below(rows * units, 'tanh', 70);
      const deltaHost = randomArray(rows * units, 71);
      const ctx = h.context({
        capacity: rows, training: true, step: h.step(rows, t + 1), input: h.batch('x', lower.y, rows, units),
        V: h.empty('y', rows, units), Y: h.empty('y', rows, units), delta: h.batch('δ', deltaHost, rows, units),
        below: { V: h.batch('v below', lower.v, rows, units), Y: h.batch('y below', lower.y, rows, units), delta: h.empty('δ below', rows, units) },
        params: h.params(new Float32Array(0), 0, 0, null), hyper: h.hyper(0.1),
      });
      const d = dropoutDispatches(ctx, units, spec, await dropoutPipelines(h.kernels, { activation: 'tanh', alpha: 0.2 }), l);
      h.run([...d.forward, ...d.backprop]);
      const y = await h.read(ctx.Y, rows, units);
      const dPrev = await h.read(ctx.below!.delta, rows, units);
      const scale = dropoutScale(rate);
      let kept = 0;
      for (let e = 0; e < rows * units; e++) {
        const keep = dropoutKeeps(seed, l, t, e, rate);
        kept += keep ? 1 : 0;
        // exact: one float32 product each
        const want = keep ? Math.fround(lower.y[e] * scale) : 0;
        if (y[e] !== want) expect.fail(`y[${e}]: gpu ${y[e]}, cpu ${want} (keep ${keep})`);
        const back = (1 - lower.y[e] * lower.y[e]) * (keep ? deltaHost[e] * scale : 0);
        if (!(Math.abs(dPrev[e] - back) <= 1e-6 * (1 + Math.abs(back)))) expect.fail(`δ below[${e}]: gpu ${dPrev[e]}, cpu ${back}`);
      }
      // the draw is what it claims: the kept fraction is near 1 − rate
      expect(Math.abs(kept / (rows * units) - (1 - rate))).toBeLessThan(0.03);
    });
  }

  it('flatten: no forward dispatch, δ_prev = f′·δ backward', async () => {
    const rows = 3;
    const spec = { kind: 'flatten' as const, inShape: [2, 3, 5] as const, inputs: 30, units: 30, activation: 'linear' as const, bias: false as const, alpha: 0.2 };
    const lower = below(rows * 30, 'relu', 80);
    const deltaHost = randomArray(rows * 30, 81);
    const input = h.batch('x', lower.y, rows, 30);
    const ctx = h.context({
      capacity: rows, training: true, step: h.step(rows, 1), input, V: input, Y: input, delta: h.batch('δ', deltaHost, rows, 30),
      below: { V: h.batch('v below', lower.v, rows, 30), Y: input, delta: h.empty('δ below', rows, 30) }, params: h.params(new Float32Array(0), 0, 0, null), hyper: h.hyper(0.1),
    });
    const d = flattenDispatches(ctx, spec, await flattenPipelines(h.kernels, { activation: 'relu', alpha: 0.2 }), 2);
    expect(d.forward).toEqual([]);
    h.run(d.backprop);
    expectClose(await h.read(ctx.below!.delta, rows, 30), Array.from(deltaHost, (t, k) => (lower.v[k] > 0 ? t : 0)), 0, 'δ below');
  });
});
