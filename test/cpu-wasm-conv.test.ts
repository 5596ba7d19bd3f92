// The WebAssembly network session (src/backends/cpu/wasm/network-session.ts: conv2d, pooling, flatten, dropout
// and dense on the SIMD kernels) against a plain-loop float64 oracle written from the contract's formulas
// (test/helpers/conv-oracle.ts), on odd shapes: widths not a multiple of 4, batch 1, stride 2, 'same' padding
// with an even kernel, 1×1 kernels, 1, 2, 3 and 9 channels, 5 and 9 filters, all-zero and all-nonzero inputs.
// Each case compares every layer's δ (as lastStep reports it, NCHW) and every parameter after two SGD steps;
// then training must be bit-identical on 1 and 2 threads, and the dropout kernel's mask equal to
// dropoutKeeps element by element.
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../src/activations.ts';
import { biasCount, weightCount } from '../src/backend.ts';
import type { Conv2dSpec, ImageShape, LayerParams, LayerSpec, NetworkSpec } from '../src/backend.ts';
import { Arena } from '../src/backends/cpu/wasm/memory.ts';
import { WasmNetworkSession, planLayers } from '../src/backends/cpu/wasm/network-session.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { dropoutKeeps, dropoutScale, dropoutThreshold } from '../src/dropout-mask.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import { oracleStep } from './helpers/conv-oracle.ts';
import type { OracleParams } from './helpers/conv-oracle.ts';
import { convnetSpec } from './helpers/convnet-spec.ts';

const base = { bias: true, alpha: 0.2 } as const;

/** a conv2d spec from its input shape, as Keras/PyTorch shape it ('same': total padding split, odd pixel bottom/right) */
function conv(inShape: ImageShape, filters: number, kernel: [number, number], stride: [number, number], same: boolean, activation: ActivationName): Conv2dSpec {
  const [C, H, W] = inShape;
  const out = (h: number, k: number, s: number) => (same ? Math.ceil(h / s) : Math.floor((h - k) / s) + 1);
  const pad = (h: number, k: number, s: number) => (same ? Math.floor(Math.max((Math.ceil(h / s) - 1) * s + k - h, 0) / 2) : 0);
  const OH = out(H, kernel[0], stride[0]);
  const OW = out(W, kernel[1], stride[1]);
  return { kind: 'conv2d', inShape, outShape: [filters, OH, OW], filters, kernel, stride, padTop: pad(H, kernel[0], stride[0]), padLeft: pad(W, kernel[1], stride[1]), inputs: C * H * W, units: filters * OH * OW, activation, ...base };
}
function pool(kind: 'maxPool2d' | 'avgPool2d', inShape: ImageShape, size: number, stride: number): LayerSpec {
  const [C, H, W] = inShape;
  const OH = Math.floor((H - size) / stride) + 1;
  const OW = Math.floor((W - size) / stride) + 1;
  return { kind, inShape, outShape: [C, OH, OW], size: [size, size], stride: [stride, stride], inputs: C * H * W, units: C * OH * OW, activation: 'linear', bias: false, alpha: 0.2 };
}
const outOf = (l: LayerSpec): ImageShape => (l as Conv2dSpec).outShape;
const flatten = (inShape: ImageShape): LayerSpec => ({ kind: 'flatten', inShape, inputs: inShape[0] * inShape[1] * inShape[2], units: inShape[0] * inShape[1] * inShape[2], activation: 'linear', bias: false, alpha: 0.2 });
const dense = (inputs: number, units: number): LayerSpec => ({ kind: 'dense', inputs, units, activation: 'softmax', ...base });

/** a layer list grown one layer at a time from an input shape */
function net(input: ImageShape, ...make: ((s: ImageShape) => LayerSpec)[]): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let shape = input;
  for (const m of make) {
    const l = m(shape);
    layers.push(l);
    if ('outShape' in l) shape = l.outShape;
  }
  return layers;
}

const NETS: Record<string, LayerSpec[]> = {
  // the Keras convnet's structure at a small size: 1 channel (patch-matrix path), 8 channels (direct path), dropout
  'conv 1→8 relu, maxpool, conv 8→8 same relu, maxpool, flatten, dropout, dense': net(
    [1, 10, 11],
    (s) => conv(s, 8, [3, 3], [1, 1], false, 'relu'),
    (s) => pool('maxPool2d', s, 2, 2),
    (s) => conv(s, 8, [3, 3], [1, 1], true, 'relu'),
    (s) => pool('maxPool2d', s, 2, 2),
    (s) => flatten(s),
    (s) => ({ kind: 'dropout', rate: 0.5, seed: 7, inputs: s[0] * s[1] * s[2], units: s[0] * s[1] * s[2], activation: 'linear', bias: false, alpha: 0.2 }),
    (s) => dense(s[0] * s[1] * s[2], 3),
  ),
  // 3 channels, 5 filters (the dense forward kernel), 3×2 kernel, stride 2, 'same'; 1×1 on 5 channels; 12 channels
  '3 channels, conv 3×2 s2 same leakyRelu (5 filters), 1×1 tanh, conv 3×3 sigmoid, avgpool s1, dense': net(
    [3, 7, 9],
    (s) => conv(s, 5, [3, 2], [2, 2], true, 'leakyRelu'),
    (s) => conv(s, 12, [1, 1], [1, 1], false, 'tanh'),
    (s) => conv(s, 4, [3, 3], [1, 1], false, 'sigmoid'),
    (s) => pool('avgPool2d', s, 2, 1),
    (s) => flatten(s),
    (s) => dense(s[0] * s[1] * s[2], 3),
  ),
  // 9 channels (direct path with a channel tail), even kernel with stride 2, overlapping max pooling
  '2 channels, conv 3×3 same (9 filters), conv 2×2 s2 on 9 channels, maxpool 2 s1, dense': net(
    [2, 6, 7],
    (s) => conv(s, 9, [3, 3], [1, 1], true, 'relu'),
    (s) => conv(s, 8, [2, 2], [2, 2], false, 'linear'),
    (s) => pool('maxPool2d', s, 2, 1),
    (s) => flatten(s),
    (s) => dense(s[0] * s[1] * s[2], 4),
  ),
  // a flatten first on a 3-channel image: the data stay NCHW rows, which already are the flatten's order (the
  // session once transposed them as if they were NHWC, and the dense layer read the wrong pixels)
  'flatten first on 3 channels, dense': net(
    [3, 4, 5],
    (s) => flatten(s),
    (s) => dense(s[0] * s[1] * s[2], 3),
  ),
};

/**
 * Weights small enough that the softmax does not saturate: there δ_out = d − y ≈ 0 is mostly float32's rounding
 * of y (6·10⁻⁸ near 1), and no relative comparison with a float64 oracle means anything.
 */
function randomParams(layers: LayerSpec[], rng: Random): LayerParams[] {
  return layers.map((l) => ({ W: Float32Array.from({ length: weightCount(l) }, () => rng.uniform(-0.3, 0.3)), b: Float32Array.from({ length: biasCount(l) }, () => rng.uniform(-0.1, 0.1)) }));
}

function sgdSpec(layers: LayerSpec[], lr: number): NetworkSpec {
  return { layers, loss: 'categoricalCrossentropy', optimizer: resolveOptimizer({ type: 'sgd', learningRate: lr }) };
}

/** |got − want| ≤ tol·(max |want| over the array), elementwise */
function expectClose(what: string, got: Float32Array, want: Float64Array, tol: number): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const scale = Math.max(1e-30, ...Array.from(want, Math.abs));
  for (let k = 0; k < want.length; k++) {
    if (!(Math.abs(got[k] - want[k]) <= tol * scale)) expect.fail(`${what}[${k}]: ${got[k]} vs oracle ${want[k]} (scale ${scale})`);
  }
}

describe('WebAssembly network session against the plain-loop oracle', () => {
  const inputs: [string, (rng: Random) => number][] = [
    ['random inputs, 60% zero', (rng) => (rng.next() < 0.6 ? 0 : rng.next())],
    ['all-nonzero inputs', (rng) => 0.05 + rng.next()],
    ['all-zero inputs', () => 0],
  ];
  for (const [name, layers] of Object.entries(NETS)) {
    for (const [batch, [what, draw]] of [[5, inputs[0]], [1, inputs[1]], [3, inputs[2]]] as const) {
      it(`${name}: batch ${batch}, ${what}`, async () => {
        expect(typeof planLayers(layers)).not.toBe('string');
        const rng = new Random(batch * 31 + layers.length);
        const params = randomParams(layers, rng);
        const oracle: OracleParams[] = params.map((p) => ({ W: Float64Array.from(p.W), b: Float64Array.from(p.b) }));
        const n = layers[0].inputs;
        const classes = layers[layers.length - 1].units;
        const x = Float32Array.from({ length: batch * n }, () => draw(rng));
        const d = new Float32Array(batch * classes);
        for (let r = 0; r < batch; r++) d[r * classes + (r % classes)] = 1;
        const session = await WasmNetworkSession.create(sgdSpec(layers, 0.1), params, 1);
        try {
          const data = await session.upload({ data: x, rows: batch, cols: n }, { data: d, rows: batch, cols: classes });
          const order = Uint32Array.from({ length: batch }, (_, i) => i);
          let trace = oracleStep(layers, oracle, Float64Array.from(x), Float64Array.from(d), batch, 0, 0.1);
          await session.trainSteps(data, order, 0, batch, 1);
          trace = oracleStep(layers, oracle, Float64Array.from(x), Float64Array.from(d), batch, 1, 0.1);
          await session.trainSteps(data, order, 0, batch, 1);
          const step = await session.lastStep();
          layers.forEach((_, l) => {
            expectClose(`layer ${l} y`, step.y[l], trace.y[l], 2e-6);
            expectClose(`layer ${l} δ`, step.delta[l], trace.delta[l], 2e-6);
          });
          const got = await session.getParams();
          got.forEach((p, l) => {
            expectClose(`layer ${l} W`, p.W, oracle[l].W, 2e-6);
            expectClose(`layer ${l} b`, p.b, oracle[l].b, 2e-6);
          });
        } finally {
          session.dispose();
        }
      });
    }
  }

  it('the CPU backend compiles a conv net onto this session', async () => {
    const layers = NETS[Object.keys(NETS)[0]];
    const backend = createCpuBackend({ threads: 1 });
    const session = await backend.compile(sgdSpec(layers, 0.1), randomParams(layers, new Random(1)));
    expect(session).toBeInstanceOf(WasmNetworkSession);
    session.dispose();
  });

  it('getState/setState round-trip the parameters in PyTorch layouts', async () => {
    const layers = NETS[Object.keys(NETS)[2]];
    const params = randomParams(layers, new Random(2));
    const session = await WasmNetworkSession.create({ ...sgdSpec(layers, 0.1), optimizer: resolveOptimizer({ type: 'adam', learningRate: 0.01 }) }, params, 1);
    const got = await session.getParams();
    got.forEach((p, l) => {
      expect(p.W).toEqual(params[l].W);
      expect(p.b).toEqual(params[l].b);
    });
    const state = await session.getState();
    await session.setState(state);
    expect(await session.getState()).toEqual(state);
    session.dispose();
  });
});

describe('WebAssembly network session: threads', () => {
  it('the Keras convnet trains bit-identically on 1 and 2 threads (Adam, dropout)', async () => {
    const spec = convnetSpec(3);
    const rng = new Random(5);
    const params = randomParams(spec.layers, rng).map((p) => ({ W: p.W.map((w) => w * 0.3), b: p.b }));
    const rows = 40;
    const x = Float32Array.from({ length: rows * 784 }, () => (rng.next() < 0.8 ? 0 : rng.next()));
    const y = new Float32Array(rows * 10);
    for (let r = 0; r < rows; r++) y[r * 10 + (r % 10)] = 1;
    const order = Uint32Array.from({ length: rows }, (_, i) => (i * 7) % rows);
    const results: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      const s = await WasmNetworkSession.create(spec, params, threads);
      try {
        const data = await s.upload({ data: x, rows, cols: 784 }, { data: y, rows, cols: 10 });
        const m = await s.trainSteps(data, order, 0, 16, 3);
        expect(Number.isFinite(m.lossSum)).toBe(true);
        if (threads === 2) expect(s.splitCalls).toBeGreaterThan(0);
        results.push((await s.getParams()).flatMap((p) => [p.W, p.b]));
      } finally {
        s.dispose();
      }
    }
    results[1].forEach((a, k) => expect(a, `tensor ${k}`).toEqual(results[0][k]));
  });
});

describe('dropout kernel', () => {
  // channels one by one (C = 2), 4 channels at a time (C = 8), 4 pixels at a time with a tail (C = 1, W = 7)
  for (const [H, W, C] of [[3, 5, 2], [2, 3, 8], [1, 7, 1]])
  it(`keeps exactly the elements dropoutKeeps keeps, numbered in NCHW order from an NHWC batch [H ${H}, W ${W}, C ${C}]`, () => {
    const arena = new Arena(false);
    const k = arena.kernels as unknown as Record<string, (...a: number[]) => void>;
    const rows = 4;
    const units = H * W * C;
    const rate = 0.3;
    const [seed, layer, t] = [0xdeadbeef, 5, 12345];
    const x = arena.alloc(rows * units);
    const y = arena.alloc(rows * units);
    const mask = arena.alloc(rows * units);
    arena.view(x).set(Float32Array.from({ length: rows * units }, (_, i) => 1 + i));
    k.dropoutForward(x.ptr, y.ptr, mask.ptr, H, W, C, seed, layer, t, dropoutThreshold(rate), dropoutScale(rate), 0, rows);
    const ys = arena.view(y);
    let kept = 0;
    for (let r = 0; r < rows; r++)
      for (let iy = 0; iy < H; iy++)
        for (let ix = 0; ix < W; ix++)
          for (let c = 0; c < C; c++) {
            const q = r * units + (iy * W + ix) * C + c;
            const keep = dropoutKeeps(seed, layer, t, r * units + (c * H + iy) * W + ix, rate);
            kept += keep ? 1 : 0;
            expect(ys[q]).toBe(keep ? Math.fround((1 + q) * dropoutScale(rate)) : 0);
          }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(rows * units);
  });
});
