/**
 * deltagpu's browser demo: train a 784-128-10 MLP on the embedded MNIST digits with the WebGPU (or CPU)
 * backend, watch it learn, then draw digits for it.
 *
 * URL options (all optional; the form starts with them, the test drives the page with them):
 *   ?backend=auto|webgpu|cpu &epochs=5 &batch=32 &lr=0.05 &train=8000 &test=2000 &seed=1 &autostart=1
 * The page reports its state in <body data-state="idle|loading|training|done|error">.
 */
import { argmaxRows, dense, historyToSvg, sequential } from '../../src/index.ts';
import type { Backend, EpochLogs, MnistSplit, Sequential } from '../../src/index.ts';
import { EMBEDDED_DIGITS, loadSplit } from './data.ts';
import { createDrawPad, renderProbabilities } from './draw.ts';
import { createDemoBackend, describeAdapter } from '../shared/gpu.ts';

type BackendChoice = 'auto' | 'webgpu' | 'cpu';
interface Settings { backend: BackendChoice; epochs: number; batch: number; lr: number; train: number; test: number; seed: number }

const DEFAULTS: Settings = { backend: 'auto', epochs: 5, batch: 32, lr: 0.05, train: 8000, test: 2000, seed: 1 };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('settings');
const trainButton = $<HTMLButtonElement>('train-button');
const stopButton = $<HTMLButtonElement>('stop-button');
const progress = $<HTMLProgressElement>('progress');
const progressText = $('progress-text');
const testAccuracy = $('test-accuracy');
const backendUsed = $('backend-used');
const chart = $('chart');
const log = $('log');
const prediction = $('prediction');
const probs = $('probs');
const sampleButton = $<HTMLButtonElement>('sample');

let model: Sequential | null = null;
/** the model's backend: passed in as an object, so the model leaves disposing it to us */
let modelBackend: Backend | null = null;
let split: MnistSplit | null = null;
let training = false;
let stopRequested = false;

function setState(state: 'idle' | 'loading' | 'training' | 'done' | 'error'): void {
  document.body.dataset.state = state;
}

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  const li = document.createElement('li');
  li.textContent = message;
  if (kind === 'error') li.className = 'error';
  log.append(li);
}

// ---- settings: URL → form → Settings ----------------------------------------------------------------

function readUrl(): Settings & { autostart: boolean } {
  const q = new URLSearchParams(location.search);
  const num = (k: keyof Settings, d: number) => {
    const v = Number(q.get(k));
    return q.has(k) && Number.isFinite(v) && v > 0 ? v : d;
  };
  const b = q.get('backend');
  return {
    backend: b === 'webgpu' || b === 'cpu' || b === 'auto' ? b : DEFAULTS.backend,
    epochs: num('epochs', DEFAULTS.epochs),
    batch: num('batch', DEFAULTS.batch),
    lr: num('lr', DEFAULTS.lr),
    train: num('train', DEFAULTS.train),
    test: num('test', DEFAULTS.test),
    seed: q.has('seed') ? Number(q.get('seed')) || 0 : DEFAULTS.seed,
    autostart: q.get('autostart') === '1' || q.get('autostart') === 'true',
  };
}

function fillForm(s: Settings): void {
  for (const [k, v] of Object.entries(s)) {
    const el = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
    if (el) el.value = String(v);
  }
}

function readForm(): Settings {
  const v = (k: string) => (form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement).value;
  const int = (k: string, lo: number, hi: number) => {
    const n = Math.round(Number(v(k)));
    if (!Number.isFinite(n) || n < lo || n > hi) throw new RangeError(`${k} must be a whole number from ${lo} to ${hi}`);
    return n;
  };
  const lr = Number(v('lr'));
  if (!(lr > 0 && lr <= 10)) throw new RangeError('the learning rate must be a number above 0 (and at most 10)');
  const train = int('train', 10, EMBEDDED_DIGITS - 10);
  return {
    backend: v('backend') as BackendChoice,
    epochs: int('epochs', 1, 100),
    batch: int('batch', 1, 10_000),
    lr,
    train,
    test: int('test', 10, EMBEDDED_DIGITS - train),
    seed: int('seed', 0, 2 ** 31),
  };
}

// ---- training -------------------------------------------------------------------------------------

function renderChart(h: { loss: number[]; accuracy: number[]; valLoss: number[]; valAccuracy: number[] }, title: string): void {
  chart.innerHTML = historyToSvg(h, { width: 780, height: 300, title, valLabel: 'test' }).replace(/^<\?xml[^>]*>\s*/, '');
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

async function train(): Promise<void> {
  if (training) return;
  let s: Settings;
  try {
    s = readForm();
  } catch (e) {
    say((e as Error).message, 'error');
    setState('error');
    return;
  }
  training = true;
  stopRequested = false;
  trainButton.disabled = true;
  sampleButton.disabled = true;
  stopButton.disabled = false;
  testAccuracy.textContent = '–';
  testAccuracy.dataset.value = '';
  backendUsed.textContent = '';
  log.replaceChildren();
  progress.value = 0;
  try {
    setState('loading');
    progressText.textContent = 'loading the MNIST digits…';
    const t0 = performance.now();
    split = await loadSplit({ train: s.train, test: s.test, seed: s.seed }, (k) => {
      progressText.textContent = `loading the MNIST digits… ${k}/10 files`;
      progress.value = k / 10;
    });
    say(`data: ${split.train.x.rows} train / ${split.test.x.rows} test digits, seed ${s.seed} (${((performance.now() - t0) / 1000).toFixed(1)} s to load)`);

    await model?.dispose();
    modelBackend?.dispose();
    model = null;
    modelBackend = null;
    const backend = await createDemoBackend(s.backend, (m) => say(`notice: ${m}`));
    modelBackend = backend;
    const m = sequential([dense(784, 128, { activation: 'relu' }), dense(128, 10, { activation: 'softmax' })], { seed: s.seed });
    m.compile({ loss: 'categoricalCrossentropy', optimizer: { type: 'momentum', learningRate: s.lr }, backend });
    backendUsed.textContent = `(${backend.description})`;
    say(`backend: ${backend.description}`);
    const title = `784-128-10 relu · momentum lr ${s.lr} · batch ${s.batch} · ${backend.name}`;

    setState('training');
    const h = { loss: [] as number[], accuracy: [] as number[], valLoss: [] as number[], valAccuracy: [] as number[] };
    const sps: number[] = [];
    const tFit = performance.now();
    const history = await m.fit(split.train.x, split.train.y, {
      epochs: s.epochs,
      batchSize: s.batch,
      validationData: [split.test.x, split.test.y],
      ticksPerEpoch: 25,
      callbacks: {
        onEpochBegin: (epoch) => {
          progressText.textContent = `epoch ${epoch}/${s.epochs} · starting…`;
        },
        onProgress: (p) => {
          progress.value = (p.epoch - 1 + p.done / p.total) / p.epochs;
          progressText.textContent =
            `epoch ${p.epoch}/${p.epochs} · ${p.done}/${p.total} · ${Math.round(p.samplesPerSecond).toLocaleString('en')} samples/s` +
            ` · loss ${p.loss.toFixed(4)} · accuracy ${pct(p.accuracy)}`;
        },
        onEpochEnd: (epoch: number, l: EpochLogs) => {
          h.loss.push(l.loss);
          h.accuracy.push(l.accuracy);
          h.valLoss.push(l.valLoss ?? NaN);
          h.valAccuracy.push(l.valAccuracy ?? NaN);
          sps.push(l.samplesPerSecond);
          renderChart(h, title);
          if (l.valAccuracy !== undefined) {
            testAccuracy.textContent = pct(l.valAccuracy);
            testAccuracy.dataset.value = String(l.valAccuracy);
          }
          say(`epoch ${epoch}: loss ${l.loss.toFixed(4)}, accuracy ${pct(l.accuracy)}, test ${pct(l.valAccuracy ?? NaN)}, ` +
            `${Math.round(l.samplesPerSecond).toLocaleString('en')} samples/s, ${l.seconds.toFixed(1)} s`);
          return stopRequested ? false : undefined;
        },
      },
    });
    model = m;
    const secs = (performance.now() - tFit) / 1000;
    const meanSps = sps.reduce((a, b) => a + b, 0) / Math.max(1, sps.length);
    progress.value = 1;
    progressText.textContent =
      `done: ${history.epochs} epoch${history.epochs === 1 ? '' : 's'} in ${secs.toFixed(1)} s · ${Math.round(meanSps).toLocaleString('en')} samples/s` +
      ` · test accuracy ${pct(history.valAccuracy[history.valAccuracy.length - 1])}` +
      (history.stopReason === 'callback' ? ' (stopped)' : '');
    document.body.dataset.samplesPerSecond = String(meanSps);
    setState('done');
    sampleButton.disabled = false;
    await predictDrawing();
  } catch (e) {
    console.error(e);
    say(`error: ${(e as Error).message}`, 'error');
    progressText.textContent = 'training failed (see below)';
    setState('error');
  } finally {
    training = false;
    trainButton.disabled = false;
    stopButton.disabled = true;
  }
}

// ---- drawing and prediction ---------------------------------------------------------------------------

let predicting: Promise<void> = Promise.resolve();

function predictDrawing(): Promise<void> {
  // one prediction at a time, in order
  predicting = predicting.then(async () => {
    const x = pad.input();
    if (!x) {
      prediction.textContent = '–';
      prediction.dataset.value = '';
      renderProbabilities(probs, null);
      return;
    }
    if (!model || training) {
      prediction.textContent = '…';
      prediction.title = training ? 'wait for training to finish' : 'train the network first';
      return;
    }
    const out = await model.predict({ data: x, rows: 1, cols: 784 });
    const best = argmaxRows(out)[0];
    prediction.textContent = String(best);
    prediction.dataset.value = String(best);
    prediction.title = `${pct(out.data[best])} sure`;
    renderProbabilities(probs, out.data, best);
  }).catch((e: unknown) => say(`prediction failed: ${(e as Error).message}`, 'error'));
  return predicting;
}

const pad = createDrawPad($<HTMLCanvasElement>('pad'), $<HTMLCanvasElement>('preview'), () => void predictDrawing());

$('clear').addEventListener('click', () => {
  pad.clear();
  void predictDrawing();
});

sampleButton.addEventListener('click', () => {
  if (!split) return;
  const t = split.test;
  const i = Math.floor(Math.random() * t.x.rows);
  pad.show(t.x.data.subarray(i * 784, (i + 1) * 784));
  say(`test digit #${i}: labelled ${t.labels[i]}`);
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void train();
});
stopButton.addEventListener('click', () => {
  stopRequested = true;
  stopButton.disabled = true;
  say('stopping after this epoch…');
});

// ---- start ---------------------------------------------------------------------------------------------

const initial = readUrl();
fillForm(initial);
renderProbabilities(probs, null);
const adapterEl = $('adapter');
void describeAdapter().then((a) => {
  adapterEl.textContent = a.text;
  adapterEl.classList.add(a.gpu ? 'gpu' : 'cpu');
  adapterEl.dataset.gpu = String(a.gpu);
  adapterEl.dataset.fallback = String(a.fallback);
  if (initial.autostart) void train();
});
