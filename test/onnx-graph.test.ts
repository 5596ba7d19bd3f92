/**
 * ONNX export at the backend contract's level (a LayerSpec list and its parameters), read back by ONNX
 * Runtime and compared with a forward pass written from PyTorch's semantics in test/helpers/pytorch-forward.ts:
 * two oracles that share no code with the exporter. Odd shapes on purpose: non-square images, 2 channels,
 * even kernels with 'same' padding, stride 2 with a remainder, layers without bias.
 */
import { describe, expect, it } from 'vitest';
import type { LayerParams, LayerSpec } from '../src/backend.ts';
import type { ActivationName } from '../src/activations.ts';
import { ACTIVATIONS } from '../src/activations.ts';
import { encodeOnnx, OnnxExportError, ONNX_OPSET } from '../src/onnx/graph.ts';
import { decodeModelProto } from '../src/onnx/proto.ts';
import { runOnnx } from './helpers/onnx-runtime.ts';
import { torchForward } from './helpers/pytorch-forward.ts';
import type { TorchLayer, TorchTensor } from './helpers/pytorch-forward.ts';

/** A deterministic float32 sequence in [−scale, scale) (no engine generator: an LCG written here). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

const none = (): LayerParams => ({ W: new Float32Array(0), b: new Float32Array(0) });
const common = { activation: 'linear' as const, bias: false as const, alpha: 0.2 };

/** Runs the export through ONNX Runtime and the PyTorch-semantics forward; returns both. */
async function both(layers: LayerSpec[], params: LayerParams[], inputShape: [number, number, number] | null, torch: TorchLayer[], n = 3) {
  const perPattern = inputShape ?? [layers[0].inputs];
  const size = perPattern.reduce((a, d) => a * d, 1);
  const x = values(n * size, 7, 2);
  const bytes = encodeOnnx({ layers, params, inputShape });
  const ort = await runOnnx(bytes, x, [n, ...perPattern]);
  const tensors: Record<string, TorchTensor> = {};
  layers.forEach((l, i) => {
    if (params[i].W.length === 0) return;
    const shape = l.kind === 'conv2d' ? [l.filters, l.inShape[0], l.kernel[0], l.kernel[1]] : [l.units, l.inputs];
    tensors[`layers.${i}.weight`] = { shape, data: params[i].W };
    if (params[i].b.length > 0) tensors[`layers.${i}.bias`] = { shape: [params[i].b.length], data: params[i].b };
  });
  const ref = torchForward(torch, tensors, { n, shape: [...perPattern], data: Float64Array.from(x) });
  return { ort, ref, bytes };
}

function expectClose(actual: Float32Array, expected: Float64Array, tol = 1e-5) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

describe('ONNX export of conv, pooling, flatten and dropout, run by ONNX Runtime', () => {
  it("a CNN with an even 'same' kernel at stride [2, 1], max and average pooling, flatten, dropout and softmax", async () => {
    // [2, 7, 6] → conv 3 filters 3×2 stride [2, 1] 'same': out [3, 4, 6]; pads: rows total 2 → top 1, bottom 1;
    // columns total 1 → left 0, right 1 (the odd pixel at the right, as Keras and PyTorch put it)
    const layers: LayerSpec[] = [
      { kind: 'conv2d', inShape: [2, 7, 6], outShape: [3, 4, 6], filters: 3, kernel: [3, 2], stride: [2, 1], padTop: 1, padLeft: 0, inputs: 84, units: 72, activation: 'relu', bias: true, alpha: 0.2 },
      { kind: 'maxPool2d', inShape: [3, 4, 6], outShape: [3, 2, 3], size: [2, 2], stride: [2, 2], inputs: 72, units: 18, ...common },
      { kind: 'avgPool2d', inShape: [3, 2, 3], outShape: [3, 1, 2], size: [2, 2], stride: [1, 1], inputs: 18, units: 6, ...common },
      { kind: 'flatten', inShape: [3, 1, 2], inputs: 6, units: 6, ...common },
      { kind: 'dropout', rate: 0.5, seed: 1, inputs: 6, units: 6, ...common },
      { inputs: 6, units: 4, activation: 'softmax', bias: true, alpha: 0.2 },
    ];
    const params = [{ W: values(36, 1), b: values(3, 2) }, none(), none(), none(), none(), { W: values(24, 3, 2), b: values(4, 4) }];
    const { ort, ref, bytes } = await both(layers, params, [2, 7, 6], [
      { conv2d: 'layers.0', stride: [2, 1], padding: [1, 0, 1, 1] }, { act: 'relu' },
      { maxPool2d: [2, 2], stride: [2, 2] }, { avgPool2d: [2, 2], stride: [1, 1] }, { flatten: true }, { linear: 'layers.5' }, { act: 'softmax' },
    ]);
    expect(ort.dims).toEqual([3, 4]);
    expectClose(ort.data, ref.data);
    // the graph as the brief states it: opset, NCHW input with a dynamic N, explicit pads, no dropout node
    const model = decodeModelProto(bytes) as any;
    expect(model.opset_import).toEqual([{ domain: '', version: ONNX_OPSET }]);
    expect(model.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_value: 2 }, { dim_value: 7 }, { dim_value: 6 }]);
    expect(model.graph.node.map((n: any) => n.op_type)).toEqual(['Conv', 'Relu', 'MaxPool', 'AveragePool', 'Flatten', 'Gemm', 'Softmax']);
    expect(model.graph.node[0].attribute.find((a: any) => a.name === 'pads').ints).toEqual([1, 0, 1, 1]);
    expect(model.graph.node[5].attribute).toMatchObject([{ name: 'transB', type: 'INT', i: 1 }]);
    expect(model.graph.initializer.map((t: any) => t.name)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.5.weight', 'layers.5.bias']);
  });

  it("'valid' stride 2 with a remainder row, 1×1 kernels, no bias, and a dense layer straight after a conv", async () => {
    // [1, 6, 5] → conv 2 filters 3×3 stride 2 valid: [2, 2, 2] (row 5 and column 4 unread) → conv 1×1 → dense
    const layers: LayerSpec[] = [
      { kind: 'conv2d', inShape: [1, 6, 5], outShape: [2, 2, 2], filters: 2, kernel: [3, 3], stride: [2, 2], padTop: 0, padLeft: 0, inputs: 30, units: 8, activation: 'tanh', bias: false, alpha: 0.2 },
      { kind: 'conv2d', inShape: [2, 2, 2], outShape: [3, 2, 2], filters: 3, kernel: [1, 1], stride: [1, 1], padTop: 0, padLeft: 0, inputs: 8, units: 12, activation: 'leakyRelu', bias: true, alpha: 0.1 },
      { inputs: 12, units: 2, activation: 'sigmoid', bias: false, alpha: 0.2 },
    ];
    const params = [{ W: values(18, 5), b: new Float32Array(0) }, { W: values(6, 6, 3), b: values(3, 7) }, { W: values(24, 8), b: new Float32Array(0) }];
    const { ort, ref } = await both(layers, params, [1, 6, 5], [
      { conv2d: 'layers.0', stride: [2, 2], padding: [0, 0, 0, 0] }, { act: 'tanh' },
      { conv2d: 'layers.1', stride: [1, 1], padding: [0, 0, 0, 0] }, { leakyRelu: 0.1 },
      { flatten: true }, { linear: 'layers.2' }, { act: 'sigmoid' },
    ], 1);
    expectClose(ort.data, ref.data);
  });

  it('a softmax over a conv output normalises over all C·H·W values of a pattern, as the engine does', async () => {
    const layers: LayerSpec[] = [
      { kind: 'conv2d', inShape: [1, 3, 3], outShape: [2, 3, 3], filters: 2, kernel: [3, 3], stride: [1, 1], padTop: 1, padLeft: 1, inputs: 9, units: 18, activation: 'softmax', bias: true, alpha: 0.2 },
    ];
    const { ort, ref } = await both(layers, [{ W: values(18, 9, 2), b: values(2, 10) }], [1, 3, 3], [
      { conv2d: 'layers.0', stride: [1, 1], padding: [1, 1, 1, 1] }, { act: 'softmax' },
    ]);
    expect(ort.dims).toEqual([3, 2, 3, 3]);
    expectClose(ort.data, ref.data);
  });
});

describe('ONNX export of every activation on a dense layer', () => {
  const lecture: Record<ActivationName, TorchLayer> = {
    linear: { map: (v) => v },
    sigmoid: { act: 'sigmoid' },
    tanh: { act: 'tanh' },
    relu: { act: 'relu' },
    leakyRelu: { leakyRelu: 0.3 },
    softplus: { act: 'softplus' },
    softmax: { act: 'softmax' },
    // the lecture's threshold units, with their values at 0 (½ for step, 0 for sign)
    step: { map: (v) => (v > 0 ? 1 : v < 0 ? 0 : 0.5) },
    sign: { map: (v) => (v > 0 ? 1 : v < 0 ? -1 : 0) },
    piecewiseLinear: { map: (v) => (v <= -0.5 ? 0 : v >= 0.5 ? 1 : v + 0.5) },
  };
  for (const activation of ACTIVATIONS) {
    it(activation, async () => {
      // 5 → 7 units; a zero weight row and bias makes unit 6's net input exactly 0 (step and sign at the jump)
      const W = values(35, 11, 1.5);
      W.fill(0, 30);
      const b = values(7, 12);
      b[6] = 0;
      const layers: LayerSpec[] = [{ inputs: 5, units: 7, activation, bias: true, alpha: 0.3 }];
      const { ort, ref } = await both(layers, [{ W, b }], null, [{ linear: 'layers.0' }, lecture[activation]], 4);
      expect(ort.dims).toEqual([4, 7]);
      expectClose(ort.data, ref.data);
    });
  }

  it('softplus stays exact far from 0 (no overflow of e^v)', async () => {
    const layers: LayerSpec[] = [{ inputs: 1, units: 4, activation: 'softplus', bias: true, alpha: 0.2 }];
    const params = [{ W: Float32Array.of(0, 0, 0, 0), b: Float32Array.of(-30, -3, 30, 80) }];
    const { ort, ref } = await both(layers, params, null, [{ linear: 'layers.0' }, { act: 'softplus' }], 1);
    expectClose(ort.data, ref.data);
  });
});

describe('ONNX export refuses what it cannot write faithfully', () => {
  const ok: LayerSpec[] = [{ inputs: 2, units: 1, activation: 'relu', bias: true, alpha: 0.2 }];
  it('an unknown activation, naming the layer', () => {
    const bad: LayerSpec[] = [{ inputs: 2, units: 1, bias: true, alpha: 0.2, activation: 'swish' as ActivationName }];
    expect(() => encodeOnnx({ layers: bad, params: [{ W: values(2, 1), b: values(1, 2) }], inputShape: null })).toThrow(OnnxExportError);
    expect(() => encodeOnnx({ layers: bad, params: [{ W: values(2, 1), b: values(1, 2) }], inputShape: null })).toThrow(/layer 0 has activation 'swish', which has no exact ONNX equivalent/);
  });
  it('parameters that do not fit the layers, or are not finite', () => {
    expect(() => encodeOnnx({ layers: ok, params: [{ W: values(3, 1), b: values(1, 2) }], inputShape: null })).toThrow(/layer 0 \(dense\) has 3 weights and 1 biases, expected 2 and 1/);
    expect(() => encodeOnnx({ layers: ok, params: [{ W: Float32Array.of(1, NaN), b: values(1, 2) }], inputShape: null })).toThrow(/layer 0 W\[1\] is NaN/);
  });
});
