/**
 * Saved CNNs (format 'deltagpu-model/2'): a trained CNN saved to safetensors gives the same predictions when
 * a forward pass written in the test from PyTorch's layouts alone (test/helpers/pytorch-forward.ts: its own
 * safetensors reader, NCHW cross-correlation, PyTorch's flatten order) reads the file; loadModel rebuilds
 * it exactly; a file whose tensors or metadata disagree is refused by name; checkpoints of a CNN resume
 * bit-identically; dense-only models keep format 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adam, avgPool2d, conv2d, decodeModel, dense, dropout, encodeModel, flatten, maxPool2d, sequential } from '../src/index.ts';
import type { Sequential } from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/format/safetensors.ts';
import { readSafetensors, torchForward } from './helpers/pytorch-forward.ts';
import type { TorchLayer } from './helpers/pytorch-forward.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-conv-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 9×8 two-channel images of 3 classes: a bright stripe whose position is the class, plus LCG noise. */
function stripes(n: number, seed: number): { x: number[][]; y: number[][] } {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let r = 0; r < n; r++) {
    const k = r % 3;
    const img = Array.from({ length: 2 * 9 * 8 }, () => rand() * 0.3);
    for (let c = 0; c < 2; c++) for (let row = 3 * k; row < 3 * k + 3; row++) for (let col = 0; col < 8; col++) img[(c * 9 + row) * 8 + col] += 1;
    x.push(img);
    y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
  }
  return { x, y };
}

// Keras's order [h, w, c] = [9, 8, 2]; the file and PyTorch see NCHW [2, 9, 8]
const cnn = (seed = 5) =>
  sequential([
    conv2d(3, [3, 2], { padding: 'same', strides: [2, 1], activation: 'relu', inputShape: [9, 8, 2] }),
    maxPool2d(2),
    conv2d(4, 1, { activation: 'tanh', bias: false }),
    avgPool2d([2, 1], { strides: 1 }),
    flatten(),
    dropout(0.25),
    dense(3, { activation: 'softmax' }),
  ], { seed });

/**
 * The same network as a PyTorch user writes it: nn.Conv2d(2, 3, (3, 2), stride=(2, 1)) after the 'same'
 * padding of 9 rows at stride 2 (out 5, total (5−1)·2 + 3 − 9 = 2: top 1, bottom 1) and 8 columns at stride 1
 * (total 1: left 0, right 1); ReLU; MaxPool2d(2) → [3, 2, 4]; Conv2d(3, 4, 1, bias=False); Tanh;
 * AvgPool2d((2, 1), stride=1) → [4, 1, 4]; Flatten; Dropout (identity at inference); Linear(16, 3); Softmax.
 */
const TORCH: TorchLayer[] = [
  { conv2d: 'layers.0', stride: [2, 1], padding: [1, 0, 1, 1] }, { act: 'relu' },
  { maxPool2d: [2, 2], stride: [2, 2] },
  { conv2d: 'layers.2', stride: [1, 1], padding: [0, 0, 0, 0] }, { act: 'tanh' },
  { avgPool2d: [2, 1], stride: [1, 1] },
  { flatten: true },
  { linear: 'layers.6' }, { act: 'softmax' },
];

async function trained(): Promise<Sequential> {
  const m = cnn();
  m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'cpu' });
  const { x, y } = stripes(48, 1);
  await m.fit(x, y, { epochs: 3, batchSize: 8 });
  return m;
}

describe('a saved CNN, read by a PyTorch-layout forward pass written in this test', () => {
  it('gives the predictions of model.predict, within float32 rounding', async () => {
    const m = await trained();
    const path = join(dir, 'cnn.safetensors');
    await saveModel(m, path);
    const { tensors, metadata } = readSafetensors(readFileSync(path));
    expect(metadata.format).toBe('deltagpu-model/2');
    expect(JSON.parse(metadata.input)).toEqual({ layout: 'NCHW', shape: [2, 9, 8] });
    // PyTorch's names and layouts, and nothing for layers without parameters
    expect(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape]))).toEqual({
      'layers.0.weight': [3, 2, 3, 2], 'layers.0.bias': [3], 'layers.2.weight': [4, 3, 1, 1], 'layers.6.weight': [3, 16], 'layers.6.bias': [3],
    });
    const { x } = stripes(7, 99);
    const flat = Float64Array.from(x.flat());
    const ref = torchForward(TORCH, tensors, { n: 7, shape: [2, 9, 8], data: flat });
    const y = await m.predict(x);
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(y.data[i] - ref.data[i]));
    expect(worst).toBeLessThan(1e-5);
    // the model really learned something, so the comparison is not between two near-uniform outputs
    expect(Math.max(...Array.from(y.data))).toBeGreaterThan(0.6);

    // loadModel rebuilds the same network: same specs, bit-identical predictions on the same backend
    const { model: back } = await loadModel(path, { backend: 'cpu' });
    expect(back.layerSpecs).toEqual(m.layerSpecs);
    expect(back.inputShape).toEqual([2, 9, 8]);
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(back.training).toEqual(m.training);
    expect(Array.from((await back.predict(x)).data)).toEqual(Array.from(y.data));
    await Promise.all([m.dispose(), back.dispose()]);
  });

  it('dense-only models keep format 1 with no input entry, as before layer kinds', async () => {
    const m = sequential([dense(4, 3, { activation: 'relu' }), dense(3, 2)], { seed: 2 });
    const { metadata } = decodeSafetensors(await encodeModel(m));
    expect(metadata.format).toBe('deltagpu-model/1');
    expect(metadata.input).toBeUndefined();
    expect(JSON.parse(metadata.architecture)).toEqual([
      { inputs: 4, units: 3, activation: 'relu', bias: true, alpha: 0.2 },
      { inputs: 3, units: 2, activation: 'linear', bias: true, alpha: 0.2 },
    ]);
  });
});

describe('a CNN file that disagrees with itself is refused by name, before the model is built', () => {
  let good: { tensors: ReturnType<typeof decodeSafetensors>['tensors']; metadata: Record<string, string> };
  const variant = (change: (arch: any[], tensors: Record<string, any>, meta: Record<string, string>) => void) => {
    const arch = JSON.parse(good.metadata.architecture);
    const tensors = { ...good.tensors };
    const meta = { ...good.metadata };
    change(arch, tensors, meta);
    return encodeSafetensors(tensors, { ...meta, architecture: meta.architecture === good.metadata.architecture ? JSON.stringify(arch) : meta.architecture });
  };
  const cases: [string, (arch: any[], t: Record<string, any>, meta: Record<string, string>) => void, RegExp][] = [
    ['a conv weight of the wrong shape', (_a, t) => void (t['layers.0.weight'] = { ...t['layers.0.weight'], shape: [3, 2, 2, 3] }), /m\.safetensors: layers\.0\.weight has shape \[3,2,2,3\] but the architecture's layer 0 \(conv2d: filters, channels, kh, kw\) needs \[3,2,3,2\]/],
    ['a missing conv weight', (_a, t) => void delete t['layers.2.weight'], /tensor layers\.2\.weight is missing \(the architecture's layer 2 \(conv2d: filters, channels, kh, kw\) needs shape \[4,3,1,1\]\)/],
    ['a bias the layer does not have', (_a, t) => void (t['layers.2.bias'] = { dtype: 'F32', shape: [4], data: new Float32Array(4) }), /tensor layers\.2\.bias is not part of the 7-layer architecture/],
    ['a tensor for a pooling layer', (_a, t) => void (t['layers.1.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }), /tensor layers\.1\.weight is not part of the 7-layer architecture/],
    ['a huge kernel', (a) => void (a[0].kernel = [1e9, 2]), /metadata 'architecture' layer 0 \(conv2d\) cannot map height 9 to 5 with kernel 1000000000, stride 2 and padding 1/],
    ['a zero stride', (a) => void (a[1].stride = [0, 2]), /metadata 'architecture' layer 1 stride must be \[height, width\] of positive integers, got \[0,2\]/],
    ['a negative filter count', (a) => void (a[2].filters = -4), /metadata 'architecture' layer 2 filters must be a positive integer/],
    ['a map that shrinks to nothing', (a) => Object.assign(a[3], { size: [3, 1] }), /metadata 'architecture' layer 3 \(avgPool2d\) cannot map \[4,2,4\] to \[4,1,4\] with size \[3,1\] and stride \[1,1\]: the window is larger than the input/],
    ['an unknown padding', (a) => void (a[0].padding = 'full'), /metadata 'architecture' layer 0 \(conv2d\) padding must be 'valid' or 'same', got "full"/],
    ["'valid' written over a 'same' layer", (a) => void (a[0].padding = 'valid'), /metadata 'architecture' does not build|metadata 'architecture' layer 0 is .* but its hyperparameters give/],
    ['an input shape that is not the first layer\'s', (_a, _t, m) => void (m.input = JSON.stringify({ layout: 'NCHW', shape: [1, 9, 8] })), /layer 0 \(conv2d\) has 144 inputs but receives 72 values per pattern/],
    ['an input in NHWC', (_a, _t, m) => void (m.input = JSON.stringify({ layout: 'NHWC', shape: [9, 8, 2] })), /metadata 'input' must be \{"layout": "NCHW"/],
    ['architecture not JSON', (_a, _t, m) => void (m.architecture = '[{'), /metadata 'architecture' is not valid JSON/],
  ];
  it.each(cases)('%s', async (_what, change, message) => {
    if (!good) good = decodeSafetensors(await encodeModel(cnn()));
    await expect(decodeModel(variant(change), 'm.safetensors')).rejects.toThrow(message);
  });
});

describe('checkpoints of a CNN', () => {
  it('a run resumed from an epoch checkpoint ends bit-identical to the uninterrupted one (dropout masks included)', async () => {
    const { x, y } = stripes(30, 3);
    const fit = { epochs: 4, batchSize: 7 };
    const full = cnn(8);
    full.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    const path = join(dir, 'cnn.ckpt.safetensors');
    const h = await full.fit(x, y, { ...fit, checkpoint: { path, everyEpochs: 2, keep: 2 } });
    const resumed = cnn(8);
    resumed.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    const h2 = await resumed.fit(x, y, { ...fit, resumeFrom: join(dir, 'cnn.ckpt.e0002.safetensors') });
    expect(h2.loss).toEqual(h.loss);
    const [a, b] = [await full.getWeights(), await resumed.getWeights()];
    a.forEach((p, l) => {
      expect(Array.from(b[l].W)).toEqual(Array.from(p.W));
      expect(Array.from(b[l].b)).toEqual(Array.from(p.b));
    });
    // its tensors are in PyTorch's layouts, optimizer moments shaped as their parameters
    const { tensors } = decodeSafetensors(readFileSync(join(dir, 'cnn.ckpt.e0004.safetensors')));
    expect(tensors['layers.0.weight'].shape).toEqual([3, 2, 3, 2]);
    expect(tensors['optimizer.0.weight.v'].shape).toEqual([3, 2, 3, 2]);
    // a checkpoint of another architecture with the same layer sizes is refused, naming the layer
    const other = sequential([
      conv2d(3, [2, 3], { padding: 'same', strides: [2, 1], activation: 'relu', inputShape: [9, 8, 2] }),
      maxPool2d(2), conv2d(4, 1, { activation: 'tanh', bias: false }), avgPool2d([2, 1], { strides: 1 }), flatten(), dropout(0.25), dense(3, { activation: 'softmax' }),
    ], { seed: 8 });
    other.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    await expect(other.fit(x, y, { ...fit, resumeFrom: join(dir, 'cnn.ckpt.e0002.safetensors') })).rejects.toThrow(/layer 0 is .*"kernel":\[3,2\].* in the checkpoint, .*"kernel":\[2,3\].* in the model/);
    await Promise.all([full.dispose(), resumed.dispose(), other.dispose()]);
  });
});
