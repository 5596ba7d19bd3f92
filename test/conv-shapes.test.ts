// Shape inference, the summary and every declaration error of the layer kinds. The expected shapes and counts
// are Keras's own (its "Simple MNIST convnet" summary) and hand arithmetic, never the engine's output.
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d, sequential } from '../src/index.ts';
import type { Conv2dSpec, Pool2dSpec } from '../src/index.ts';
import { checkLayerKinds } from '../src/backends/webgpu/index.ts';
import { resolveOptimizer } from '../src/optimizers.ts';

const kerasConvnet = () =>
  sequential(
    [
      conv2d(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
      maxPool2d(2),
      conv2d(64, 3, { activation: 'relu' }),
      maxPool2d(2),
      flatten(),
      dropout(0.5),
      dense(10, { activation: 'softmax' }),
    ],
    { seed: 1 },
  );

describe("Keras's Simple MNIST convnet", () => {
  it('infers every shape and parameter count as Keras prints them', () => {
    const m = kerasConvnet();
    expect(m.inputShape).toEqual([1, 28, 28]);
    expect(m.layerSpecs.map((l) => l.units)).toEqual([26 * 26 * 32, 13 * 13 * 32, 11 * 11 * 64, 5 * 5 * 64, 1600, 1600, 10]);
    expect(m.layerSpecs.map((l) => l.inputs)).toEqual([784, 26 * 26 * 32, 13 * 13 * 32, 11 * 11 * 64, 5 * 5 * 64, 1600, 1600]);
    const c = m.layerSpecs[2] as Conv2dSpec;
    expect([c.inShape, c.outShape, c.kernel, c.stride, c.padTop, c.padLeft]).toEqual([[32, 13, 13], [64, 11, 11], [3, 3], [1, 1], 0, 0]);
    expect((m.layerSpecs[3] as Pool2dSpec).outShape).toEqual([64, 5, 5]);
    expect(m.layerSpecs[5]).toMatchObject({ kind: 'dropout', rate: 0.5, seed: 1 });
    // a dense spec stays as it was before kinds existed (no `kind` field), as every backend already reads it
    expect(m.layerSpecs[6]).toEqual({ inputs: 1600, units: 10, activation: 'softmax', bias: true, alpha: 0.2 });
  });

  it('summary: names, output shapes in Keras order, 320 / 18,496 / 16,010 parameters, 34,826 in all', () => {
    const s = kerasConvnet().summary();
    const rows = s.split('\n');
    expect(rows).toHaveLength(9); // header, 7 layers, total
    expect(rows[1]).toMatch(/^\s+conv2d_0\s+\(26, 26, 32\)\s+relu\s+320 params/);
    expect(rows[2]).toMatch(/^\s+maxPool2d_1\s+\(13, 13, 32\)\s+0 params/);
    expect(rows[3]).toMatch(/^\s+conv2d_2\s+\(11, 11, 64\)\s+relu\s+18496 params/);
    expect(rows[4]).toMatch(/^\s+maxPool2d_3\s+\(5, 5, 64\)\s+0 params/);
    expect(rows[5]).toMatch(/^\s+flatten_4\s+\(1600\)\s+0 params/);
    expect(rows[6]).toMatch(/^\s+dropout_5\s+\(1600\)\s+0 params\s+rate 0.5/);
    expect(rows[7]).toMatch(/^\s+dense_6\s+\(10\)\s+softmax\s+16010 params/);
    expect(rows[8]).toBe('  total 34826 parameters');
  });

  it('getWeights: conv W is [F, C, kh, kw] (PyTorch), empty W and b for pooling, flatten and dropout', async () => {
    const w = await kerasConvnet().getWeights();
    expect(w.map((p) => [p.W.length, p.b.length])).toEqual([[32 * 1 * 9, 32], [0, 0], [64 * 32 * 9, 64], [0, 0], [0, 0], [0, 0], [10 * 1600, 10]]);
  });
});

describe('shape inference on odd shapes (hand arithmetic)', () => {
  it("'same' follows Keras: out = ⌈in/s⌉, the odd padding pixel at the bottom/right", () => {
    const m = sequential([conv2d(2, 4, { padding: 'same', strides: 2, inputShape: [5, 7, 3] }), conv2d(1, 2, { padding: 'same' })]);
    const [a, b] = m.layerSpecs as Conv2dSpec[];
    // 5 rows: out 3, total (3−1)·2 + 4 − 5 = 3, top 1; 7 columns: out 4, total (4−1)·2 + 4 − 7 = 3, left 1
    expect([a.outShape, a.padTop, a.padLeft]).toEqual([[2, 3, 4], 1, 1]);
    // kernel 2 stride 1: total 1, all of it at the bottom/right
    expect([b.outShape, b.padTop, b.padLeft]).toEqual([[1, 3, 4], 0, 0]);
  });

  it("'valid' with stride 2 and a non-square kernel; pooling with stride ≠ size", () => {
    const m = sequential([conv2d(3, [3, 2], { strides: 2, inputShape: [7, 6, 1] }), maxPool2d([2, 1], { strides: [1, 2] }), avgPool2d(1, { strides: 1 })]);
    const [c, p, q] = m.layerSpecs as [Conv2dSpec, Pool2dSpec, Pool2dSpec];
    expect(c.outShape).toEqual([3, 3, 3]); // ⌊(7−3)/2⌋+1 = 3, ⌊(6−2)/2⌋+1 = 3
    expect(p.outShape).toEqual([3, 2, 2]); // ⌊(3−2)/1⌋+1 = 2, ⌊(3−1)/2⌋+1 = 2
    expect(q.outShape).toEqual([3, 2, 2]);
  });

  it('inputShape on sequential or on the first layer; [h, w] is one channel; a flat model has inputShape null', () => {
    expect(sequential([conv2d(1, 3)], { inputShape: [5, 6, 2] }).inputShape).toEqual([2, 5, 6]);
    expect(sequential([flatten({ inputShape: [28, 28] }), dense(10)]).layerSpecs[1].inputs).toBe(784);
    const flat = sequential([dense(4, { activation: 'relu' }), dropout(0.2), dense(2)], { inputShape: 3 });
    expect(flat.inputShape).toBeNull();
    expect(flat.layerSpecs.map((l) => [l.inputs, l.units])).toEqual([[3, 4], [4, 4], [4, 2]]);
    expect(sequential([dense(3, 4), dense(2)]).layerSpecs[1].inputs).toBe(4);
  });

  it('a dense-only model draws exactly the weights dense(inputs, units) always did, whichever form declares it', async () => {
    const a = await sequential([dense(3, 5, { activation: 'relu' }), dense(5, 2)], { seed: 9 }).getWeights();
    const b = await sequential([dense(5, { activation: 'relu' }), dropout(0.3), dense(2)], { seed: 9, inputShape: 3 }).getWeights();
    expect(b[0].W).toEqual(a[0].W);
    expect(b[2].W).toEqual(a[1].W);
  });

  it("conv weights use Keras's fans: He bound √(6/(C·kh·kw)) for ReLU, Glorot √(6/((C+F)·kh·kw)) otherwise; seeded", async () => {
    const net = (activation: 'relu' | 'tanh', seed = 1) => sequential([conv2d(64, 3, { activation, inputShape: [8, 8, 32] })], { seed });
    const maxAbs = (W: Float32Array) => W.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const he = (await net('relu').getWeights())[0].W;
    const glorot = (await net('tanh').getWeights())[0].W;
    expect(maxAbs(he)).toBeLessThanOrEqual(Math.sqrt(6 / 288));
    expect(maxAbs(he)).toBeGreaterThan(0.99 * Math.sqrt(6 / 288)); // 18,432 draws reach the bound
    expect(maxAbs(glorot)).toBeLessThanOrEqual(Math.sqrt(6 / (96 * 9)));
    expect(maxAbs(glorot)).toBeGreaterThan(0.99 * Math.sqrt(6 / (96 * 9)));
    expect((await net('relu').getWeights())[0].W).toEqual(he);
    expect((await net('relu', 2).getWeights())[0].W).not.toEqual(he);
  });
});

describe('bad declarations: a clear error naming the layer, before anything is allocated', () => {
  it('sizes: stride 0, non-integer or negative sizes, bad padding, dropout rate outside [0, 1)', () => {
    expect(() => conv2d(8, 3, { strides: 0 })).toThrow(/conv2d: strides must be a positive integer, got 0/);
    expect(() => conv2d(8, 2.5)).toThrow(/conv2d: kernelSize must be a positive integer, got 2.5/);
    expect(() => conv2d(-1, 3)).toThrow(/conv2d: filters must be a positive integer, got -1/);
    expect(() => conv2d(8, [3, 0])).toThrow(/conv2d: kernelSize\[1\] \(width\) must be a positive integer, got 0/);
    expect(() => conv2d(8, [3, 3, 3] as never)).toThrow(/kernelSize must be a positive integer or \[height, width\]/);
    expect(() => conv2d(8, 3, { padding: 'full' as never })).toThrow(/padding must be 'valid' or 'same', got "full"/);
    expect(() => maxPool2d(0)).toThrow(/maxPool2d: poolSize must be a positive integer, got 0/);
    expect(() => avgPool2d(2, { strides: -2 })).toThrow(/avgPool2d: strides must be a positive integer, got -2/);
    expect(() => dropout(1)).toThrow(/dropout: rate must be a number in \[0, 1\).*got 1/);
    expect(() => dropout(-0.1)).toThrow(/got -0.1/);
    expect(() => dropout(NaN)).toThrow(/got NaN/);
    expect(() => conv2d(8, 3, { inputShape: [28, 0, 1] })).toThrow(/conv2d: inputShape\[1\] must be a positive integer, got 0/);
    expect(() => dense(10, { inputShape: [1, 2, 3, 4] as never })).toThrow(/inputShape must be \[height, width, channels\]/);
    // a hand-edited layer is held to the same checks
    expect(() => sequential([{ ...conv2d(2, 3, { inputShape: [5, 5, 1] }), stride: [0, 1] } as never])).toThrow(/sequential: layer 0 stride\[0\] must be a positive integer, got 0/);
    expect(() => sequential([{ ...dropout(0.5), rate: 2 } as never], { inputShape: 4 })).toThrow(/sequential: layer 0 rate must be a number in \[0, 1\), got 2/);
  });

  it('a kernel or pool larger than its input: the shape shrinks to nothing (the layer and shapes are named)', () => {
    expect(() => sequential([conv2d(4, 5, { inputShape: [3, 3, 8] })])).toThrow(/conv2d \(layer 0\)'s kernel 5×5 is larger than its 3×3×8 input from the input: the shape shrinks to nothing/);
    expect(() => sequential([conv2d(4, 3, { inputShape: [8, 8, 1] }), maxPool2d(2), maxPool2d(2), conv2d(8, 3)])).toThrow(
      /conv2d \(layer 3\)'s kernel 3×3 is larger than its 1×1×4 input from layer 2 \(maxPool2d\)/,
    );
    expect(() => sequential([maxPool2d(3, { inputShape: [2, 5, 1] })])).toThrow(/maxPool2d \(layer 0\)'s pool size 3×3 is larger than its 2×5×1 input/);
    // 'same' pads up to the kernel: not an error
    expect(sequential([conv2d(1, 5, { padding: 'same', inputShape: [3, 3, 1] })]).layerSpecs[0].units).toBe(9);
  });

  it('an image layer first without an inputShape; a dense first without its input size', () => {
    expect(() => sequential([conv2d(4, 3), flatten(), dense(2)])).toThrow(/conv2d \(layer 0\) is first and needs the shape of its input: give inputShape: \[height, width, channels\]/);
    expect(() => sequential([dense(4), dense(2)])).toThrow(/dense \(layer 0\) is first and needs the shape of its input: write dense\(inputs, units\), or give inputShape/);
    expect(() => sequential([conv2d(4, 3)], { inputShape: 784 })).toThrow(/conv2d \(layer 0\) gets a vector of 784 values from the input, not an image; give inputShape as \[height, width, channels\]/);
  });

  it('dense after an image without flatten(); conv after a vector; softmax before the output', () => {
    expect(() => sequential([conv2d(4, 3, { inputShape: [6, 6, 1] }), dense(2)])).toThrow(/dense \(layer 1\) gets a 4×4×4 image from layer 0 \(conv2d\); add flatten\(\) before it/);
    expect(() => sequential([conv2d(4, 3, { inputShape: [6, 6, 1] }), flatten(), maxPool2d(2)])).toThrow(/maxPool2d \(layer 2\) gets a vector of 64 values from layer 1 \(flatten\), not an image/);
    expect(() => sequential([conv2d(4, 3, { activation: 'softmax', inputShape: [6, 6, 1] }), flatten(), dense(2)])).toThrow(/softmax is for the output layer only \(layer 0\)/);
    expect(() => sequential([conv2d(4, 3, { inputShape: [6, 6, 1] }), flatten(), dense(60, 2)])).toThrow(/layer 2 expects 60 inputs but layer 1 \(flatten\) outputs 64 values/);
  });

  it('inputShape given twice and disagreeing, or on a later layer', () => {
    expect(() => sequential([conv2d(4, 3, { inputShape: [6, 6, 1] })], { inputShape: [6, 6, 3] })).toThrow(/inputShape 6×6×3 differs from layer 0's own inputShape 6×6×1/);
    expect(() => sequential([conv2d(4, 3, { inputShape: [6, 6, 1] }), conv2d(2, 3, { inputShape: [4, 4, 4] })])).toThrow(/conv2d \(layer 1\) has an inputShape, but only the first layer may have one/);
  });

  it('an unknown object in the list names the kinds there are', () => {
    expect(() => sequential([{ kind: 'lstm' } as never])).toThrow(/layer 0 is an object \(kind\), expected a layer made by dense\(inputs, units\), dense\(units\), conv2d, maxPool2d, avgPool2d, flatten or dropout/);
  });

  it('data of the wrong width for an image model says what the rows must be', async () => {
    const m = sequential([conv2d(2, 3, { inputShape: [5, 5, 1] }), flatten(), dense(2)]);
    m.compile({ loss: 'halfSumSquared', backend: 'cpu' });
    await expect(m.predict([[1, 2, 3]])).rejects.toThrow(/x has 3 columns but the model's input is a 5×5×1 image \(height × width × channels\): rows of 25 values/);
  });

  it('the webgpu backend runs every layer kind and refuses an unknown one by name (its checkSpec and compile call this)', () => {
    const m = sequential([conv2d(2, 3, { inputShape: [5, 5, 1] }), flatten(), dense(2)]);
    const spec = { layers: [...m.layerSpecs], loss: 'halfSumSquared' as const, optimizer: resolveOptimizer('sgd') };
    expect(() => checkLayerKinds(spec)).not.toThrow();
    expect(() => checkLayerKinds({ ...spec, layers: [{ inputs: 2, units: 1, activation: 'linear', bias: true, alpha: 0.2 }] })).not.toThrow();
    const lstm = { ...spec.layers[2], kind: 'lstm' } as unknown as (typeof spec.layers)[number];
    expect(() => checkLayerKinds({ ...spec, layers: [lstm] })).toThrow(/webgpu: layer 0 is lstm, which this backend does not run; expected one of dense, conv2d/);
  });
});
