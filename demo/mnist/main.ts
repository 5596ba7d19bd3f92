/**
 * The MNIST lab: train an MLP on the shipped MNIST digits with the WebGPU (or CPU) backend and the settings
 * of the form (demo/mnist/settings.ts), pause/resume/stop it, watch loss and accuracy per tick, then see the
 * confusion matrix and the misclassified digits, save/load the model, and draw digits for it.
 *
 * For tests: `<body data-state="idle|loading|training|paused|done|stopped|error">`; `#prediction` carries the
 * drawn digit's class in data-value and its ten probabilities in data-probs (JSON); `<body data-gate="held">`
 * while a paused run waits before its next tick.
 */
import { accuracyOf, argmaxRows, dense, historyToSvg, inputs, sequential, targets } from '../../src/index.ts';
import type { Backend, MnistSplit, Sequential } from '../../src/index.ts';
import { $, pct, showAdapter } from '../shared/page.ts';
import { createDemoBackend } from '../shared/gpu.ts';
import { digitAt, loadSplit } from './data.ts';
import { createDrawPad, renderProbabilities } from './draw.ts';
import { attachPadKeys } from './pad-keys.ts';
import { loadModel, saveModel, saveOnnx } from './model-file.ts';
import { showResults } from './results.ts';
import { batchSizeOf, fillForm, fromUrl, readForm } from './settings.ts';
import type { Settings } from './settings.ts';

type State = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'stopped' | 'error';

const form = $<HTMLFormElement>('settings');
const trainButton = $<HTMLButtonElement>('train-button');
const pauseButton = $<HTMLButtonElement>('pause-button');
const stopButton = $<HTMLButtonElement>('stop-button');
const saveButton = $<HTMLButtonElement>('save-button');
const onnxButton = $<HTMLButtonElement>('onnx-button');
const sampleButton = $<HTMLButtonElement>('sample');
const progress = $<HTMLProgressElement>('progress');
const progressText = $('progress-text');
const testAccuracy = $('test-accuracy');
const log = $('log');
const prediction = $('prediction');
const modelStatus = $('model-status');

let model: Sequential | null = null;
/** the model's backend: passed in as an object, so the model leaves disposing it to us */
let modelBackend: Backend | null = null;
let split: MnistSplit | null = null;
let splitKey = '';
let training = false;

// ---- pause / resume / stop: a gate the backend awaits before each tick ------------------------------
class Stopped extends Error {}
let paused: { promise: Promise<void>; resume: () => void; stop: () => void } | null = null;
let stopRequested = false;
const gate = async () => {
  if (stopRequested) throw new Stopped('stopped');
  if (paused) {
    // for tests: training is parked here, before its next tick (the tick under way at Pause has finished)
    document.body.dataset.gate = 'held';
    try {
      await paused.promise;
    } finally {
      delete document.body.dataset.gate;
    }
  }
};

const setState = (s: State) => void (document.body.dataset.state = s);

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  const li = document.createElement('li');
  li.textContent = message;
  if (kind === 'error') li.className = 'error';
  log.append(li);
}

function chart(el: HTMLElement, h: Parameters<typeof historyToSvg>[0], title: string, xLabel = 'epoch'): void {
  el.innerHTML = historyToSvg(h, { width: 780, height: 260, title, valLabel: 'test', xLabel }).replace(/^<\?xml[^>]*>\s*/, '');
}

async function useSplit(s: Settings): Promise<MnistSplit> {
  const key = `${s.train}/${s.test}/${s.seed}`;
  if (split && splitKey === key) return split;
  setState('loading');
  const t0 = performance.now();
  split = await loadSplit({ train: s.train, test: s.test, seed: s.seed }, (f) => {
    progressText.textContent = `loading the MNIST digits… ${Math.round(f * 100)}%`;
    progress.value = f;
  });
  splitKey = key;
  say(`data: ${split.train.rows} train / ${split.test.rows} test digits, seed ${s.seed} (${((performance.now() - t0) / 1000).toFixed(1)} s to load)`);
  return split;
}

async function replaceModel(m: Sequential | null, b: Backend | null): Promise<void> {
  await model?.dispose();
  if (modelBackend && modelBackend !== b) modelBackend.dispose();
  model = m;
  modelBackend = b;
  saveButton.disabled = !m;
  onnxButton.disabled = !m;
}

/** Confusion matrix, gallery and test accuracy for the current model. */
async function evaluateTest(): Promise<void> {
  if (!model || !split) return;
  const probs = await model.predict(inputs(split.test));
  const cm = showResults(split.test, probs);
  const acc = accuracyOf(cm);
  testAccuracy.textContent = pct(acc);
  testAccuracy.dataset.value = String(acc);
}

async function train(): Promise<void> {
  if (training) return;
  let s: Settings;
  try {
    s = readForm(form);
  } catch (e) {
    say((e as Error).message, 'error');
    setState('error');
    return;
  }
  training = true;
  stopRequested = false;
  paused = null;
  trainButton.disabled = true;
  sampleButton.disabled = true;
  pauseButton.disabled = false;
  stopButton.disabled = false;
  testAccuracy.textContent = '–';
  testAccuracy.dataset.value = '';
  log.replaceChildren();
  progress.value = 0;
  try {
    const data = await useSplit(s);
    await replaceModel(null, null);
    const backend = await createDemoBackend(s.backend, (m) => say(`notice: ${m}`), gate);
    const sizes = [784, ...s.layers, 10];
    const m = sequential(
      sizes.slice(1).map((units, i) => dense(sizes[i], units, { activation: i === sizes.length - 2 ? 'softmax' : s.activation })),
      { seed: s.seed },
    );
    m.compile({ loss: 'categoricalCrossentropy', optimizer: { type: s.optimizer, learningRate: s.lr }, backend });
    await replaceModel(m, backend);
    $('backend-used').textContent = `(${backend.description})`;
    say(`backend: ${backend.description}`);
    const bs = batchSizeOf(s);
    const title = `${sizes.join('-')} ${s.activation} · ${s.optimizer} lr ${s.lr} · batch ${bs} · ${backend.name}`;

    progress.value = 0; // it showed the download
    setState(paused ? 'paused' : 'training');
    const ticks = { loss: [] as number[], accuracy: [] as number[] };
    const h = { loss: [] as number[], accuracy: [] as number[], valLoss: [] as number[], valAccuracy: [] as number[] };
    const tFit = performance.now();
    let outcome = 'done';
    try {
      const history = await m.fit(inputs(data.train), targets(data.train), {
        epochs: s.epochs,
        batchSize: bs,
        validationData: [inputs(data.test), targets(data.test)],
        ticksPerEpoch: 10,
        callbacks: {
          onProgress: (p) => {
            progress.value = (p.epoch - 1 + p.done / p.total) / p.epochs;
            progressText.textContent = `epoch ${p.epoch}/${p.epochs} · ${p.done}/${p.total} · ${Math.round(p.samplesPerSecond).toLocaleString('en')} samples/s · loss ${p.loss.toFixed(4)} · accuracy ${pct(p.accuracy)}`;
            ticks.loss.push(p.loss);
            ticks.accuracy.push(p.accuracy);
            chart($('live-chart'), ticks, `epoch ${p.epoch} so far: running means at each tick`, 'tick');
          },
          onEpochEnd: (epoch, l) => {
            for (const [k, v] of [['loss', l.loss], ['accuracy', l.accuracy], ['valLoss', l.valLoss ?? NaN], ['valAccuracy', l.valAccuracy ?? NaN]] as const) h[k].push(v);
            ticks.loss.length = ticks.accuracy.length = 0;
            chart($('chart'), h, `per epoch · ${title}`);
            say(`epoch ${epoch}: loss ${l.loss.toFixed(4)}, accuracy ${pct(l.accuracy)}, test ${pct(l.valAccuracy ?? NaN)}, ${Math.round(l.samplesPerSecond).toLocaleString('en')} samples/s, ${l.seconds.toFixed(1)} s`);
          },
        },
      });
      document.body.dataset.samplesPerSecond = String(history.samplesPerSecond.reduce((a, b) => a + b, 0) / Math.max(1, history.samplesPerSecond.length));
      document.body.dataset.losses = JSON.stringify(history.loss);
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
      outcome = 'stopped';
      say('stopped: the model keeps the weights it had reached');
    }
    progress.value = outcome === 'done' ? 1 : progress.value;
    progressText.textContent = `${outcome} after ${((performance.now() - tFit) / 1000).toFixed(1)} s`;
    await evaluateTest();
    setState(outcome as State);
    sampleButton.disabled = false;
    await predictDrawing();
  } catch (e) {
    console.error(e);
    say(`error: ${(e as Error).message}`, 'error');
    progressText.textContent = 'training failed (see below)';
    setState('error');
  } finally {
    training = false;
    paused = null;
    trainButton.disabled = false;
    pauseButton.disabled = true;
    pauseButton.textContent = 'Pause';
    pauseButton.setAttribute('aria-pressed', 'false');
    stopButton.disabled = true;
  }
}

pauseButton.addEventListener('click', () => {
  if (!training) return;
  if (paused) {
    paused.resume();
    paused = null;
    pauseButton.textContent = 'Pause';
    pauseButton.setAttribute('aria-pressed', 'false');
    setState('training');
    return;
  }
  let resume = () => {};
  let stop = () => {};
  const promise = new Promise<void>((res, rej) => ((resume = res), (stop = () => rej(new Stopped('stopped')))));
  paused = { promise, resume, stop };
  pauseButton.textContent = 'Resume';
  pauseButton.setAttribute('aria-pressed', 'true');
  setState('paused');
  progressText.textContent += ' · paused';
});

stopButton.addEventListener('click', () => {
  stopRequested = true;
  stopButton.disabled = true;
  paused?.stop();
  say('stopping…');
});

// ---- drawing and prediction -------------------------------------------------------------------------
let predicting: Promise<void> = Promise.resolve();
/** predictions asked for and not yet shown (tests wait for `#prediction[data-pending="0"]`) */
let pending = 0;

function predictDrawing(): Promise<void> {
  // one prediction at a time, in order
  prediction.dataset.pending = String(++pending);
  predicting = predicting.then(async () => {
    const x = pad.input();
    if (!x) {
      prediction.textContent = '–';
      prediction.dataset.value = '';
      prediction.dataset.probs = '';
      renderProbabilities($('probs'), null);
      return;
    }
    if (!model || training) {
      prediction.textContent = '…';
      prediction.title = training ? 'wait for training to finish' : 'train or load a network first';
      return;
    }
    const out = await model.predict({ data: x, rows: 1, cols: 784 });
    const best = argmaxRows(out)[0];
    prediction.textContent = String(best);
    prediction.dataset.value = String(best);
    prediction.dataset.probs = JSON.stringify(Array.from(out.data));
    prediction.title = `${pct(out.data[best])} sure`;
    renderProbabilities($('probs'), out.data, best);
  }).catch((e: unknown) => say(`prediction failed: ${(e as Error).message}`, 'error'))
    .finally(() => void (prediction.dataset.pending = String(--pending)));
  return predicting;
}

const pad = createDrawPad($<HTMLCanvasElement>('pad'), $<HTMLCanvasElement>('preview'), () => void predictDrawing());
attachPadKeys($<HTMLCanvasElement>('pad'), $('pad-cursor'), $('pad-status'), pad);
$('clear').addEventListener('click', () => {
  pad.clear();
  void predictDrawing();
});
sampleButton.addEventListener('click', () => {
  if (!split) return;
  const i = Math.floor(Math.random() * split.test.rows);
  pad.show(digitAt(split.test, i));
  say(`test digit #${i}: labelled ${split.test.labels[i]}`);
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void train();
});

// ---- the model file -----------------------------------------------------------------------------------
function modelSays(text: string, error = false): void {
  modelStatus.textContent = text;
  modelStatus.classList.toggle('error-text', error);
  modelStatus.dataset.kind = error ? 'error' : 'ok';
}

saveButton.addEventListener('click', async () => {
  if (!model) return;
  try {
    const n = await saveModel(model, 'mnist-model.safetensors', { dataset: 'mnist', source: 'deltagpu demo' });
    modelSays(`saved mnist-model.safetensors (${n.toLocaleString('en')} bytes)`);
  } catch (e) {
    modelSays(`could not save: ${(e as Error).message}`, true);
  }
});

onnxButton.addEventListener('click', async () => {
  if (!model) return;
  try {
    const n = await saveOnnx(model, 'mnist-model.onnx');
    modelSays(`saved mnist-model.onnx (${n.toLocaleString('en')} bytes; ONNX Runtime input 'input' [N, ${model.inputShape ? model.inputShape.join(', ') : model.inputs}], output 'output')`);
  } catch (e) {
    modelSays(`could not export ONNX: ${(e as Error).message}`, true);
  }
});

$<HTMLInputElement>('load-input').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file || training) return;
  try {
    const s = readForm(form);
    const backend = await createDemoBackend(s.backend, (m) => say(`notice: ${m}`));
    let loaded;
    try {
      loaded = await loadModel(file, backend);
    } catch (err) {
      backend.dispose();
      throw err;
    }
    await replaceModel(loaded.model, backend);
    modelSays(`loaded ${file.name}: ${loaded.model.layers.map((l) => l.inputs).concat(10).join('-')} on ${backend.name}`);
    await useSplit(s);
    await evaluateTest();
    setState('done');
    sampleButton.disabled = false;
    await predictDrawing();
  } catch (err) {
    modelSays(`could not load ${file.name}: ${(err as Error).message}`, true);
  }
});

// ---- start --------------------------------------------------------------------------------------------
const initial = fromUrl(location.search);
fillForm(form, initial.values);
renderProbabilities($('probs'), null);
void showAdapter().then((a) => {
  if (!a.gpu) {
    const webgpu = form.querySelector<HTMLOptionElement>('option[value=webgpu]');
    if (webgpu) webgpu.disabled = true;
  }
  if (initial.autostart) void train();
});
