/**
 * `deltagpu train mnist --model rbf --centers K`: an RBF network on the digits — K Gaussian units placed
 * by k-means on the training images (σ_j from each cluster's spread), then a softmax output layer trained
 * on φ with cross-entropy. The hidden layer is fixed after k-means (the lecture's two-stage training), so
 * only K·10 + 10 weights learn. Saved like the MLP (--out, default models/mnist-rbf.safetensors; the centres
 * and σ go in the file as rbf.centers and rbf.sigma) with its loss and accuracy plot beside it.
 */
import { dirname } from 'node:path';
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import { rbf } from '../rbf/rbf.ts';
import type { OptimizerName } from '../optimizers.ts';
import type { BackendChoice } from '../backends/select.ts';
import { loadMnist } from '../data/mnist.ts';
import { loadIdxFolder } from '../data/idx.ts';
import { inputs, subset, targets } from '../data/dataset.ts';
import type { Dataset } from '../data/dataset.ts';
import { choiceOption, intOption, numberOption } from './options.ts';
import { outputPaths } from './output-paths.ts';
import { saveModel } from '../io/model-file.ts';
import { writeFileAtomic } from '../format/atomic.ts';
import { makeFolder } from '../format/writable.ts';
import { historyToSvg } from '../report/plot.ts';

export const TRAIN_RBF_HELP = `  --model rbf              an RBF network instead: k-means centres, Gaussian units, softmax output
  --centers K              its number of centres (default 100)   --kmeans-iterations N (default 20)
                           (saved to --out, default models/mnist-rbf.safetensors)`;

export interface RbfTrainValues {
  data?: string;
  centers?: string;
  'kmeans-iterations'?: string;
  epochs?: string;
  'batch-size'?: string;
  lr?: string;
  optimizer?: string;
  backend?: string;
  seed?: string;
  train?: string;
  test?: string;
  out?: string;
  json?: boolean;
}

function loadDigits(dir: string | undefined, seed: number, nTrain?: number, nTest?: number): { train: Dataset; test: Dataset } {
  if (!dir) return loadMnist({ seed, ...(nTrain ? { train: nTrain } : {}), ...(nTest ? { test: nTest } : {}) });
  const head = (d: Dataset, n?: number) => (n && n < d.rows ? subset(d, Array.from({ length: n }, (_, i) => i)) : d);
  return { train: head(loadIdxFolder(dir, { split: 'train' }), nTrain), test: head(loadIdxFolder(dir, { split: 'test' }), nTest) };
}

export async function trainRbfMnist(values: RbfTrainValues, out: (s: string) => void): Promise<number> {
  const K = intOption(values.centers, 'centers', 100);
  const iterations = intOption(values['kmeans-iterations'], 'kmeans-iterations', 20);
  const epochs = intOption(values.epochs, 'epochs', 10);
  const batchSize = intOption(values['batch-size'], 'batch-size', 32);
  const optimizer = choiceOption<OptimizerName>(values.optimizer, 'optimizer', ['sgd', 'momentum', 'adam'], 'adam');
  const lr = numberOption(values.lr, 'lr', optimizer === 'adam' ? 0.05 : 0.2, (n) => n > 0, 'a number > 0');
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const seed = intOption(values.seed, 'seed', 1, 0);
  const { modelPath, plotPath } = outputPaths(values.out ?? 'models/mnist-rbf.safetensors');
  const log = (s: string) => process.stderr.write(s + '\n');
  const say = values.json ? log : out;

  const t0 = performance.now();
  const { train, test } = loadDigits(values.data, seed, values.train ? intOption(values.train, 'train', 1) : undefined, values.test ? intOption(values.test, 'test', 1) : undefined);
  if (K > train.rows) throw new RangeError(`--centers ${K} is more than the ${train.rows} training images: k-means needs at least one image per centre`);
  say(`data: ${train.rows} training and ${test.rows} test images from ${train.source}`);
  const layer = rbf(train.width * train.height, K, { seed, maxIterations: iterations });
  const model = sequential([layer, dense(K, train.classes, { activation: 'softmax' })], { seed });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: { type: optimizer, learningRate: lr }, backend, onNotice: (m) => log(`notice: ${m}`) });
  const history = await model.fit(inputs(train), targets(train), {
    epochs,
    batchSize,
    validationData: [inputs(test), targets(test)],
    callbacks: { onEpochEnd: (e, l) => void say(`epoch ${e}/${epochs}: loss ${l.loss.toFixed(4)} accuracy ${(l.accuracy * 100).toFixed(2)}%  test ${((l.valAccuracy ?? 0) * 100).toFixed(2)}%`) },
  });
  const seconds = (performance.now() - t0) / 1000;
  const { loss, accuracy } = await model.evaluate(inputs(test), targets(test));
  say(`backend: ${model.backendName} — ${model.backendDescription}`);
  say(`RBF ${train.width * train.height}-${K}-${train.classes}: k-means ${layer.iterations} iterations, σ from ${(Math.min(...layer.sigma!)).toFixed(2)} to ${Math.max(...layer.sigma!).toFixed(2)}; ${optimizer} lr ${lr}, batch ${batchSize}, ${history.epochs} epochs`);
  say(`test accuracy ${(accuracy * 100).toFixed(2)}%  test loss ${loss.toFixed(4)}  (${test.rows} images, ${seconds.toFixed(1)} s in all)`);
  const curves = { loss: history.loss, accuracy: history.accuracy, valLoss: history.valLoss, valAccuracy: history.valAccuracy };
  makeFolder(dirname(modelPath) || '.', `--out ${modelPath}`);
  await saveModel(model, modelPath, { data: train.source, history: curves, testAccuracy: accuracy });
  writeFileAtomic(plotPath, historyToSvg(curves, { title: `MNIST RBF ${train.width * train.height}-${K}-${train.classes}`, valLabel: 'test' }));
  say(`saved: ${modelPath} (safetensors, with the centres and σ) and ${plotPath} (loss and accuracy per epoch)`);
  if (values.json) {
    out(JSON.stringify({ model: 'rbf', centers: K, kmeansIterations: layer.iterations, testAccuracy: accuracy, testLoss: loss, history: { loss: history.loss, accuracy: history.accuracy, testLoss: history.valLoss, testAccuracy: history.valAccuracy }, epochs: history.epochs, backend: model.backendName, adapter: model.backendDescription, seconds, modelPath, plotPath }));
  }
  await model.dispose();
  return 0;
}
