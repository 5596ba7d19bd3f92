// The CPU reference of the image layers against hand arithmetic (golden numbers written out below, each derived
// in a comment), the model API end to end on `cpu`, dropout's mask and pass-through, and a small CNN that learns.
import { describe, expect, it } from 'vitest';
import * as conv from '../src/backends/cpu/conv2d.ts';
import * as pool from '../src/backends/cpu/pool2d.ts';
import { forwardPass, newWorkspace } from '../src/backends/cpu/network.ts';
import { dropoutKeeps, dropoutScale, dropoutThreshold, philox4x32 } from '../src/dropout-mask.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import { adam, avgPool2d, conv2d, createCpuBackend, dense, dropout, flatten, maxPool2d, sequential } from '../src/index.ts';
import type { Conv2dSpec, LayerSpec, Pool2dSpec } from '../src/index.ts';
import { WasmNetworkSession } from '../src/backends/cpu/wasm/network-session.ts';

/** x[i][j] = 4i + j + 1 on a 4×4 map: 1..16 row by row. */
const X16 = Float64Array.from({ length: 16 }, (_, k) => k + 1);
/** An asymmetric 3×3 kernel, so a flipped (true convolution) or transposed kernel would give other numbers. */
const K = Float64Array.from([1, 2, 0, 0, 1, 0, 0, 0, -1]);

const convSpec = (inShape: [number, number, number], outShape: [number, number, number], extra: Partial<Conv2dSpec> = {}): Conv2dSpec => ({
  kind: 'conv2d', inShape, outShape, filters: outShape[0], kernel: [3, 3], stride: [1, 1], padTop: 0, padLeft: 0,
  inputs: inShape[0] * inShape[1] * inShape[2], units: outShape[0] * outShape[1] * outShape[2], activation: 'linear', bias: true, alpha: 0.2, ...extra,
});

describe('conv2d reference: a hand-computed 3×3 example', () => {
  // v(oy, ox) = x[oy][ox] + 2·x[oy][ox+1] + x[oy+1][ox+1] − x[oy+2][ox+2] + b, b = 0.5:
  //   (0,0) 1 + 4 + 6 − 11 = 0    (0,1) 2 + 6 + 7 − 12 = 3    (1,0) 5 + 12 + 10 − 15 = 12    (1,1) 6 + 14 + 11 − 16 = 15
  it("forward, 'valid', stride 1", () => {
    const v = new Float64Array(4);
    const y = new Float64Array(4);
    conv.forward(convSpec([1, 4, 4], [1, 2, 2]), K, Float64Array.of(0.5), X16, 1, v, y);
    expect(Array.from(y)).toEqual([0.5, 3.5, 12.5, 15.5]);
  });

  // 'same' with stride 2 on 4×4: out 2×2, padding total (2−1)·2 + 3 − 4 = 1, all of it bottom/right (padTop = 0):
  //   (0,0) 1 + 4 + 6 − 11 = 0   (0,1) x02 + 2·x03 + x13 − 0 = 3 + 8 + 8 = 19
  //   (1,0) x20 + 2·x21 + x31 − 0 = 9 + 20 + 14 = 43   (1,1) x22 + 2·x23 + x33 − 0 = 11 + 24 + 16 = 51
  it("forward, 'same', stride 2 (the odd padding pixel at the bottom/right)", () => {
    const y = new Float64Array(4);
    conv.forward(convSpec([1, 4, 4], [1, 2, 2], { stride: [2, 2], bias: false }), K, new Float64Array(0), X16, 1, new Float64Array(4), y);
    expect(Array.from(y)).toEqual([0, 19, 43, 51]);
  });

  // δ = 1 at every output: D[ky][kx] = Σ_{oy,ox} x[ky+oy][kx+ox] = Σ (4(ky+oy) + kx + ox + 1) = 16·ky + 4·kx + 14; D_b = 4
  it('weightChange: D = Σ δ·window, D_b = Σ δ (batch 1)', () => {
    const D = new Float64Array(9);
    const Db = new Float64Array(1);
    conv.weightChange(convSpec([1, 4, 4], [1, 2, 2]), Float64Array.of(1, 1, 1, 1), X16, 1, D, Db);
    expect(Array.from(D)).toEqual([14, 18, 22, 30, 34, 38, 46, 50, 54]);
    expect(Array.from(Db)).toEqual([4]);
  });

  // δ = 1 only at output (0,1): the kernel lands on input rows 0–2, columns 1–3; with batch 2 (the second
  // pattern's δ zero) D is the (0,1) window over 2 and D_b = 1/2
  it('backpropError puts the kernel where the window was; weightChange averages over the batch', () => {
    const spec = convSpec([1, 4, 4], [1, 2, 2]);
    const e = new Float64Array(32);
    conv.backpropError(spec, K, Float64Array.of(0, 1, 0, 0, 0, 0, 0, 0), 2, e);
    expect(Array.from(e.subarray(0, 16))).toEqual([0, 1, 2, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0]);
    expect(Array.from(e.subarray(16))).toEqual(new Array(16).fill(0));
    const D = new Float64Array(9);
    const Db = new Float64Array(1);
    const x2 = new Float64Array(32);
    x2.set(X16);
    conv.weightChange(spec, Float64Array.of(0, 1, 0, 0, 0, 0, 0, 0), x2, 2, D, Db);
    expect(Array.from(D)).toEqual([2, 3, 4, 6, 7, 8, 10, 11, 12].map((v) => v / 2));
    expect(Array.from(Db)).toEqual([0.5]);
  });

  // Two channels, two filters, 1×1 kernel on a 1×2 image: NCHW row [1, 2 | 3, 4], W [F, C, 1, 1] = [[1, 10], [100, 1000]]:
  //   filter 0: [1 + 30, 2 + 40] = [31, 42]    filter 1: [100 + 3000, 200 + 4000] = [3100, 4200]
  it('through the model: setWeights takes W as [F, C, kh, kw] and predict reads NCHW rows', async () => {
    const m = sequential([conv2d(2, 1, { inputShape: [1, 2, 2] })]);
    m.compile({ loss: 'halfSumSquared', backend: 'cpu' });
    await m.setWeights([{ W: [1, 10, 100, 1000] as never, b: [0, 0] as never }]);
    expect(Array.from((await m.predict([[1, 2, 3, 4]])).data)).toEqual([31, 42, 3100, 4200]);
    const k = sequential([conv2d(1, 3, { inputShape: [4, 4, 1] })]);
    k.compile({ loss: 'halfSumSquared', backend: 'cpu' });
    await k.setWeights([{ W: Array.from(K) as never, b: [0.5] as never }]);
    expect(Array.from((await k.predict([Array.from(X16)])).data)).toEqual([0.5, 3.5, 12.5, 15.5]);
  });
});

describe('pooling reference: hand-computed windows', () => {
  const poolSpec = (kind: Pool2dSpec['kind'], size: [number, number], stride: [number, number], out: [number, number]): Pool2dSpec => ({
    kind, inShape: [1, 4, 4], outShape: [1, ...out], size, stride, inputs: 16, units: out[0] * out[1], activation: 'linear', bias: false, alpha: 0,
  });
  // ties: the window's error goes to its FIRST maximum in row-major order
  const T = Float64Array.from([1, 3, 3, 0, 2, 3, 0, 0, 5, 5, 1, 7, 5, 0, 7, 2]);
  it('max pooling 2×2: maxima, and each δ to the first maximum of its window', () => {
    const spec = poolSpec('maxPool2d', [2, 2], [2, 2], [2, 2]);
    const y = new Float64Array(4);
    pool.forward(spec, T, 1, new Float64Array(4), y);
    expect(Array.from(y)).toEqual([3, 3, 5, 7]);
    const e = new Float64Array(16);
    pool.backpropError(spec, T, Float64Array.of(10, 20, 30, 40), 1, e);
    // window (0,0) {1,3 / 2,3}: first 3 at (0,1); (0,1) {3,0 / 0,0}: (0,2); (1,0) {5,5 / 5,0}: (2,0); (1,1) {1,7 / 7,2}: (2,3)
    expect(Array.from(e)).toEqual([0, 10, 20, 0, 0, 0, 0, 0, 30, 0, 0, 40, 0, 0, 0, 0]);
  });
  it('overlapping windows (3×3, stride 1) add their errors; average pooling spreads δ/(ph·pw)', () => {
    const spec = poolSpec('maxPool2d', [3, 3], [1, 1], [2, 2]);
    const y = new Float64Array(4);
    pool.forward(spec, T, 1, new Float64Array(4), y);
    // (0,0) rows 0–2, cols 0–2: 5, first at (2,0); (0,1) cols 1–3: 7 at (2,3);
    // (1,0) rows 1–3, cols 0–2: 7 at (3,2); (1,1) cols 1–3: 7 at (2,3) and (3,2), the first is (2,3)
    expect(Array.from(y)).toEqual([5, 7, 7, 7]);
    const e = new Float64Array(16);
    pool.backpropError(spec, T, Float64Array.of(1, 1, 1, 1), 1, e);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 1, 0]);
    const avg = poolSpec('avgPool2d', [2, 3], [2, 1], [2, 2]);
    const ya = new Float64Array(4);
    pool.forward(avg, T, 1, new Float64Array(4), ya);
    expect(Array.from(ya)).toEqual([(1 + 3 + 3 + 2 + 3 + 0) / 6, (3 + 3 + 0 + 3 + 0 + 0) / 6, (5 + 5 + 1 + 5 + 0 + 7) / 6, (5 + 1 + 7 + 0 + 7 + 2) / 6]);
    const ea = new Float64Array(16);
    pool.backpropError(avg, T, Float64Array.of(6, 12, 6, 12), 1, ea);
    expect(Array.from(ea)).toEqual([1, 3, 3, 2, 1, 3, 3, 2, 1, 3, 3, 2, 1, 3, 3, 2]);
  });
});

describe('dropout on the CPU', () => {
  it("dropoutKeeps (the allocation-free rounds the CPU draws masks with) is Philox's first word against the threshold", () => {
    for (const [seed, layer, t, rate] of [[1, 5, 3, 0.5], [0xffffffff, 0, 0, 0.3], [42, 2, 123456, 0.9]]) {
      for (let e = 0; e < 2000; e += 7) {
        expect(dropoutKeeps(seed, layer, t, e, rate)).toBe(philox4x32([e, t, 0, 0], [seed, layer])[0] >>> 8 >= dropoutThreshold(rate));
      }
    }
  });

  const net = () => sequential([dense(4, 3000, { activation: 'relu' }), dropout(0.3), dense(3000, 2)], { seed: 5 });
  it('a training pass drops about `rate` of the values and scales the rest by the float32 1/(1 − rate); inference passes all', () => {
    const m = net();
    const spec = { layers: [...m.layerSpecs], loss: 'halfSumSquared' as const, optimizer: resolveOptimizer('sgd') };
    const rng = new Random(3);
    const p = { W: m.layerSpecs.map((l) => Float32Array.from({ length: l.inputs * l.units * (l.kind === 'dropout' ? 0 : 1) }, () => rng.uniform(-1, 1))), b: m.layerSpecs.map((l) => new Float32Array(l.kind === 'dropout' ? 0 : l.units)) };
    const x = Float32Array.of(0.5, -0.2, 0.9, 0.1, 0.3, 0.3, -0.7, 0.8);
    const ws = newWorkspace(spec, 2, (n) => new Float32Array(n));
    forwardPass(spec, p, x, 2, ws, undefined, { training: true, t: 4 });
    const hidden = Float32Array.from(ws.y[0]);
    const out = Float32Array.from(ws.y[1]);
    let dropped = 0;
    let live = 0;
    const scale = dropoutScale(0.3);
    for (let e = 0; e < 6000; e++) {
      if (hidden[e] === 0) continue; // ReLU's zeros say nothing about the mask
      live++;
      if (out[e] === 0) dropped++;
      else expect(out[e]).toBe(Math.fround(hidden[e] * scale));
    }
    // binomial(live, 0.3): 4 standard deviations either side
    const sd = Math.sqrt(live * 0.3 * 0.7);
    expect(Math.abs(dropped - 0.3 * live)).toBeLessThan(4 * sd);
    // another step (t) draws another mask; the same step the same one
    forwardPass(spec, p, x, 2, ws, undefined, { training: true, t: 5 });
    expect(Array.from(ws.y[1])).not.toEqual(Array.from(out));
    forwardPass(spec, p, x, 2, ws, undefined, { training: true, t: 4 });
    expect(Array.from(ws.y[1])).toEqual(Array.from(out));
    forwardPass(spec, p, x, 2, ws);
    expect(Array.from(ws.y[1])).toEqual(Array.from(hidden));
  });

  it('evaluate and predict see every unit: a model with dropout predicts what the same weights without it do', async () => {
    const m = net();
    const plain = sequential([dense(4, 3000, { activation: 'relu' }), dense(3000, 2)], { seed: 5 });
    for (const model of [m, plain]) model.compile({ loss: 'halfSumSquared', backend: createCpuBackend({ kernels: 'reference' }) });
    const w = await m.getWeights();
    await plain.setWeights([w[0], w[2]]);
    const x = [[0.1, 0.2, 0.3, 0.4], [-1, 0, 1, 0.5]];
    expect((await m.predict(x)).data).toEqual((await plain.predict(x)).data);
  });
});

/** 8×8 images: a 3-pixel bar, horizontal (class 0) or vertical (class 1), anywhere; the class is in the shape, not the place. */
function bars(n: number, seed: number) {
  const rng = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const img = Array.from({ length: 64 }, () => 0.1 * rng.next());
    const c = i % 2;
    const r = rng.int(c ? 6 : 8);
    const col = rng.int(c ? 8 : 6);
    for (let k = 0; k < 3; k++) img[(r + (c ? k : 0)) * 8 + col + (c ? 0 : k)] = 1;
    x.push(img);
    y.push(c ? [0, 1] : [1, 0]);
  }
  return { x, y };
}

describe('a CNN trains on cpu', () => {
  const cnn = () =>
    sequential([conv2d(4, 3, { activation: 'relu', inputShape: [8, 8, 1] }), maxPool2d(2), flatten(), dropout(0.1), dense(2, { activation: 'softmax' })], { seed: 3 });

  it('conv → pool → flatten → dropout → dense softmax: the loss falls and held-out accuracy rises', async () => {
    const train = bars(200, 1);
    const test = bars(100, 2);
    const m = cnn();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'cpu' });
    const before = await m.evaluate(test.x, test.y);
    const h = await m.fit(train.x, train.y, { epochs: 8, batchSize: 16 });
    const after = await m.evaluate(test.x, test.y);
    expect(h.loss[h.loss.length - 1]).toBeLessThan(0.5 * h.loss[0]);
    expect(after.loss).toBeLessThan(0.5 * before.loss);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("the default cpu backend runs a conv net on the WebAssembly network session: close to the float64 reference, and 'fast' runs the JS session", async () => {
    const train = bars(48, 4);
    const run = async (backend: Parameters<typeof createCpuBackend>[0]) => {
      const m = cnn();
      m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: createCpuBackend(backend) });
      await m.fit(train.x, train.y, { epochs: 2, batchSize: 8 });
      return (await m.getWeights()).map((p) => Array.from(p.W).concat(Array.from(p.b)));
    };
    const spec = { layers: cnn().layerSpecs as LayerSpec[], loss: 'categoricalCrossentropy' as const, optimizer: resolveOptimizer(adam(0.01)) };
    const session = await createCpuBackend({}).compile(spec, await cnn().getWeights());
    expect(session).toBeInstanceOf(WasmNetworkSession);
    session.dispose();
    const byDefault = await run({});
    const fastJs = await run({ kernels: 'fast' });
    const f64 = await run({ precision: 'float64' });
    for (const got of [byDefault, fastJs]) got.forEach((w, l) => w.forEach((v, k) => expect(Math.abs(v - f64[l][k]), `layer ${l} [${k}]`).toBeLessThan(1e-4)));
  });
});
