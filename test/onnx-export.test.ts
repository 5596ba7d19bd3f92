/**
 * model.toOnnx() and `deltagpu export`, checked by ONNX Runtime (onnxruntime-node, CPU): the exported
 * model's outputs equal model.predict's within 1e-5 on a batch, for every layer kind and every activation,
 * for trained models as for fresh ones. Bad input gets a clear error and leaves no file behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ACTIVATIONS, adam, avgPool2d, conv2d, dense, dropout, exportOnnx, flatten, maxPool2d, OnnxExportError, rbf, sequential } from '../src/index.ts';
import type { ActivationName, Sequential } from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';
import { encodeSafetensors } from '../src/format/safetensors.ts';
import { main } from '../src/cli/main.ts';
import { runOnnx } from './helpers/onnx-runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** n rows of `cols` values in [−2, 2) from an LCG written here (not the engine's generator). */
function rows(n: number, cols: number, seed: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => Array.from({ length: cols }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 2));
}

/** ONNX Runtime's outputs for x against model.predict's: the largest difference, and ORT's output dims. */
async function compare(model: Sequential, x: number[][]): Promise<{ worst: number; dims: readonly number[]; spread: number }> {
  model.compile({ loss: 'meanSquared', backend: 'cpu' });
  const bytes = await model.toOnnx();
  const perPattern = model.inputShape ?? [model.inputs];
  const ort = await runOnnx(bytes, Float32Array.from(x.flat()), [x.length, ...perPattern]);
  const y = await model.predict(x);
  expect(ort.data.length).toBe(y.data.length);
  let worst = 0;
  for (let i = 0; i < y.data.length; i++) worst = Math.max(worst, Math.abs(ort.data[i] - y.data[i]));
  return { worst, dims: ort.dims, spread: Math.max(...Array.from(y.data)) - Math.min(...Array.from(y.data)) };
}

describe('model.toOnnx() run by ONNX Runtime equals model.predict within 1e-5', () => {
  for (const activation of ACTIVATIONS) {
    it(`${activation}: dense, and conv2d where it can stand`, async () => {
      const last = activation === 'softmax';
      // softmax only as the output layer (the hidden layer then uses tanh or relu)
      const mlp = sequential([dense(5, 6, { activation: last ? 'tanh' : activation, alpha: 0.15 }), dense(4, { activation })], { seed: 11 });
      const r = await compare(mlp, rows(9, 5, 1));
      expect(r.dims).toEqual([9, 4]);
      expect(r.worst).toBeLessThan(1e-5);
      const cnn = sequential([conv2d(3, [3, 2], { strides: [2, 1], padding: 'same', activation: last ? 'relu' : activation, alpha: 0.15, inputShape: [7, 6, 2] }), flatten(), dense(3, { activation })], { seed: 12 });
      const c = await compare(cnn, rows(5, 84, 2));
      expect(c.dims).toEqual([5, 3]);
      expect(c.worst).toBeLessThan(1e-5);
      await Promise.all([mlp.dispose(), cnn.dispose()]);
    });
  }

  it('every layer kind in one trained CNN: conv valid/same, max and average pooling, flatten, dropout, dense softmax', async () => {
    const m = sequential([
      conv2d(4, 3, { activation: 'relu', inputShape: [11, 9, 1] }),
      maxPool2d(2),
      conv2d(5, 2, { padding: 'same', activation: 'leakyRelu', alpha: 0.1 }),
      avgPool2d([2, 1], { strides: [1, 2] }),
      flatten(),
      dropout(0.4),
      dense(8, { activation: 'sigmoid' }),
      dense(3, { activation: 'softmax' }),
    ], { seed: 4 });
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    const x = rows(24, 99, 3);
    await m.fit(x, x.map((_, r) => [0, 1, 2].map((k) => (k === r % 3 ? 1 : 0))), { epochs: 2, batchSize: 6 });
    const r = await compare(m, rows(16, 99, 4));
    expect(r.dims).toEqual([16, 3]);
    expect(r.worst).toBeLessThan(1e-5);
    await m.dispose();
  });

  it('a conv model whose last layer is a conv: output [N, C, H, W]', async () => {
    const m = sequential([conv2d(2, 2, { strides: 2, activation: 'tanh', inputShape: [5, 5, 3] })], { seed: 1 });
    const r = await compare(m, rows(3, 75, 5));
    expect(r.dims).toEqual([3, 2, 2, 2]);
    expect(r.worst).toBeLessThan(1e-5);
    await m.dispose();
  });

  it('image models that start with flatten or pooling, and a dropout between flatten and dense', async () => {
    const models = [
      sequential([flatten({ inputShape: [4, 5, 2] }), dense(3, { activation: 'softmax' })], { seed: 2 }),
      sequential([maxPool2d([2, 3], { strides: [1, 2], inputShape: [5, 7, 3] }), conv2d(2, 2, { activation: 'sigmoid' }), flatten(), dense(2)], { seed: 3 }),
      sequential([conv2d(2, 3, { strides: 2, inputShape: [7, 7, 1] }), flatten(), dropout(0.5), dense(4, { activation: 'relu' })], { seed: 4 }),
    ];
    for (const m of models) {
      const r = await compare(m, rows(6, m.inputs, 8));
      expect(r.dims[0]).toBe(6);
      expect(r.worst).toBeLessThan(1e-5);
      await m.dispose();
    }
  });

  it('an rbf front layer has no ONNX form: a clear error', async () => {
    const m = sequential([rbf(3, 2, { centers: [[0, 0, 0], [1, 1, 1]], sigma: 0.5 }), dense(2, 1)]);
    await expect(exportOnnx(m)).rejects.toThrow(OnnxExportError);
    await expect(m.toOnnx()).rejects.toThrow(/starts with an rbf layer, which has no ONNX export/);
  });
});

describe('deltagpu export', () => {
  async function cli(...args: string[]): Promise<{ code: number; out: string[]; errors: string[] }> {
    const errors: string[] = [];
    const out: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((s: unknown) => void errors.push(String(s)));
    const code = await main(['export', ...args], (s) => void out.push(s));
    vi.restoreAllMocks();
    return { code, out, errors };
  }
  const tmpFiles = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('MODEL.safetensors --format onnx --out MODEL.onnx: ONNX Runtime gives what loadModel predicts', async () => {
    const m = sequential([conv2d(2, 3, { activation: 'relu', inputShape: [6, 6, 1] }), maxPool2d(2), flatten(), dense(3, { activation: 'softmax' })], { seed: 9 });
    const model = join(dir, 'small.safetensors');
    await saveModel(m, model);
    const target = join(dir, 'small.onnx');
    const r = await cli(model, '--format', 'onnx', '--out', target);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/wrote .*small\.onnx \([\d,]+ bytes, ONNX opset 13\)/);
    const { model: loaded } = await loadModel(model, { backend: 'cpu' });
    loaded.compile({ loss: 'categoricalCrossentropy', backend: 'cpu' });
    const x = rows(4, 36, 6);
    const ort = await runOnnx(readFileSync(target), Float32Array.from(x.flat()), [4, 1, 6, 6]);
    const y = await loaded.predict(x);
    expect(Math.max(...Array.from(y.data, (v, i) => Math.abs(v - ort.data[i])))).toBeLessThan(1e-5);
    // --out defaults to the model's name with .onnx
    rmSync(target);
    expect((await cli(model)).code).toBe(0);
    expect(existsSync(target)).toBe(true);
    await Promise.all([m.dispose(), loaded.dispose()]);
  });

  it('bad input: a clear error, exit code 1, and no file (partial or temporary) left behind', async () => {
    const good = join(dir, 'good.safetensors');
    await saveModel(sequential([dense(2, 2)], { seed: 1 }), good);
    const foreign = join(dir, 'foreign.safetensors');
    writeFileSync(foreign, encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: 'pt' }));
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a model at all');
    const rbfModel = join(dir, 'rbf.safetensors');
    await saveModel(sequential([rbf(2, 2, { centers: [[0, 0], [1, 1]], sigma: 0.5 }), dense(2, 1)]), rbfModel);
    const out = join(dir, 'out.onnx');
    mkdirSync(join(dir, 'a-folder.onnx'));
    const cases: [string[], RegExp][] = [
      [[foreign, '--out', out], /not a deltagpu model \(metadata format is 'pt'/],
      [[junk, '--out', out], /junk\.safetensors: invalid safetensors file/],
      [[join(dir, 'missing.safetensors'), '--out', out], /missing\.safetensors/],
      [[rbfModel, '--out', out], /starts with an rbf layer, which has no ONNX export/],
      [[good, '--format', 'tflite', '--out', out], /--format must be one of onnx, got 'tflite'/],
      [[good, '--out', join(dir, 'no-such-folder', 'm.onnx')], /cannot write --out .*m\.onnx: the folder .*no-such-folder does not exist/],
      [[good, '--out', join(good, 'm.onnx')], /cannot write --out .*m\.onnx: the folder .*good\.safetensors does not exist/],
      [[good, '--out', join(dir, 'a-folder.onnx')], /cannot write --out .*a-folder\.onnx: it is a folder/],
      [[good, '--out', good], /is the model file itself/],
      [[], /usage: deltagpu export MODEL\.safetensors/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.errors.join('\n'), args.join(' ')).toMatch(message);
      expect(existsSync(out), args.join(' ')).toBe(false);
      expect(tmpFiles()).toEqual([]);
    }
    // a failed export leaves an existing file as it was
    writeFileSync(out, 'the previous export');
    expect((await cli(rbfModel, '--out', out)).code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('the previous export');
    expect(tmpFiles()).toEqual([]);
  });
});

// every activation name is covered above; a new one must get an ONNX form (or a refusal) before this passes
it('the activation list is the one the ONNX tests cover', () => {
  expect([...ACTIVATIONS].sort()).toEqual(['leakyRelu', 'linear', 'piecewiseLinear', 'relu', 'sigmoid', 'sign', 'softmax', 'softplus', 'step', 'tanh'] satisfies ActivationName[]);
});
