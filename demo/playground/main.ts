/**
 * The playground: a 2-D data set, a network you shape, and live views while it trains (WebGPU by default):
 * the decision boundary from one `predict` over a grid of the plane (one command buffer), each unit's own map and
 * the edges from the weights (layerOutputs on the CPU reference kernels), train and test loss, steps/s, and
 * every unit's δ for a hovered point (patternDeltas).
 *
 * URL options set the form (?dataset=circle&backend=webgpu&hidden=4,4&lr=0.03&autostart=1 …). For tests:
 * `<body data-state="idle|training|error" data-backend="cpu|webgpu">` (the backend the model trains on),
 * `#test-accuracy[data-value]`, `#epoch[data-value]`.
 */
import { createBackend, historyToSvg, layerOutputs, patternDeltas } from '../../src/index.ts';
import type { Backend, LayerParams, Matrix } from '../../src/index.ts';
import { $, offerBackends, pct, showAdapter } from '../shared/page.ts';
import { DATASETS, makeData } from './datasets.ts';
import type { DatasetName, PlaygroundData } from './datasets.ts';
import { MODELS, OUTPUTS, probabilityOfOne, targetsFor } from './models.ts';
import type { NetworkSettings, PlaygroundModel, PlaygroundNet } from './models.ts';
import { drawNetwork, drawPlane, EXTENT, gridInputs } from './views.ts';
import { layerEditor } from './editor.ts';

const DEFAULTS: Record<string, string> = {
  dataset: 'xor', noise: '0.05', ratio: '0.5', points: '200', seed: '1', showTest: '',
  model: 'mlp', hidden: '4,4', activation: 'tanh', output: 'sigmoid-bce', centres: '8', optimizer: 'adam', lr: '0.03', mode: 'mini', batch: '10', l2: '0', backend: 'webgpu',
};
/** the decision boundary's grid (one predict of G×G rows) and the units' smaller maps */
const G = 48;
const G_UNITS = 20;
const EPOCHS_PER_FRAME = 5;

const form = $<HTMLFormElement>('pg-form');
const plane = $<HTMLCanvasElement>('plane');
const runButton = $<HTMLButtonElement>('run');
const field = (k: string) => form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement;

interface Settings extends NetworkSettings {
  dataset: DatasetName; noise: number; ratio: number; points: number; showTest: boolean;
  model: string; mode: 'mini' | 'online' | 'full'; batch: number; backend: 'webgpu' | 'cpu';
}

function readSettings(): Settings {
  const v = (k: string) => field(k).value.trim();
  const num = (k: string, lo: number, hi: number, label = k) => {
    const n = Number(v(k));
    if (!(Number.isFinite(n) && n >= lo && n <= hi)) throw new RangeError(`${label} must be a number from ${lo} to ${hi}, got '${v(k)}'`);
    return n;
  };
  const hidden = v('hidden') === '' ? [] : v('hidden').split(/[\s,]+/).map(Number);
  if (hidden.length > 6 || hidden.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) {
    throw new RangeError(`hidden layers must be up to 6 whole numbers from 1 to 8 separated by commas (e.g. 4,4), got '${v('hidden')}'`);
  }
  return {
    dataset: v('dataset') as DatasetName, noise: num('noise', 0, 1), ratio: num('ratio', 0.1, 0.9, 'train share'),
    points: Math.round(num('points', 20, 2000)), seed: Math.round(num('seed', 0, 2 ** 31)), showTest: (field('showTest') as HTMLInputElement).checked,
    model: v('model'), hidden, centres: Math.round(num('centres', 1, 12, 'RBF centres')), activation: v('activation') as Settings['activation'], output: v('output') as Settings['output'],
    optimizer: v('optimizer') as Settings['optimizer'], learningRate: num('lr', 1e-6, 10, 'learning rate'), l2: num('l2', 0, 1, 'L2'),
    mode: v('mode') as Settings['mode'], batch: Math.round(num('batch', 1, 2000, 'batch size')), backend: v('backend') as Settings['backend'],
  };
}

// ---- state ----------------------------------------------------------------------------------------------
let s: Settings;
let data: PlaygroundData;
let model: PlaygroundNet | null = null;
/** what the dense layers see for the small grid and the points: (x1, x2), or an RBF layer's φ */
let seen = { grid: null as Matrix | null, train: null as Matrix | null, test: null as Matrix | null };
let entry: PlaygroundModel = MODELS[0];
let params: LayerParams[] = [];
let p1: Float32Array | null = null;
let epoch = 0;
let steps = 0;
let stepSeconds = 0;
let running = false;
let hovered: { set: 'train' | 'test'; i: number } | null = null;
const curves = { loss: [] as number[], valLoss: [] as number[] };
const grid = gridInputs(G);
const smallGrid = gridInputs(G_UNITS);
const backends = new Map<string, Promise<Backend>>();
const asMatrix = (x: Float32Array, cols: number): Matrix => ({ data: x, rows: x.length / cols, cols });

function backendFor(name: string): Promise<Backend> {
  let b = backends.get(name);
  if (!b) {
    b = createBackend(name === 'webgpu' ? 'webgpu' : 'cpu');
    backends.set(name, b);
    b.catch(() => backends.delete(name));
  }
  return b;
}

function fail(e: unknown): void {
  console.error(e);
  pause();
  $('pg-error').textContent = (e as Error).message;
  document.body.dataset.state = 'error';
}

/** New data and a fresh model from the form; the views show the untrained network. */
async function reset(): Promise<void> {
  $('pg-error').textContent = '';
  s = readSettings();
  entry = MODELS.find((m) => m.id === s.model) ?? MODELS[0];
  fitOutputTo(entry);
  s.output = field('output').value as Settings['output'];
  data = makeData(s.dataset, { points: s.points, noise: s.noise, trainFraction: s.ratio, seed: s.seed });
  await model?.dispose();
  model = null;
  const backend = await backendFor(s.backend);
  model = await entry.build(s, backend, asMatrix(data.train.x, 2));
  // for tests: the backend the model was built on and trains on (not just the form's choice)
  document.body.dataset.backend = backend.name;
  const f = model.features?.bind(model);
  seen = {
    grid: f ? await f(smallGrid) : smallGrid,
    train: f ? await f(asMatrix(data.train.x, 2)) : asMatrix(data.train.x, 2),
    test: f ? await f(asMatrix(data.test.x, 2)) : asMatrix(data.test.x, 2),
  };
  epoch = steps = stepSeconds = 0;
  curves.loss = [];
  curves.valLoss = [];
  hovered = null;
  await refresh();
  document.body.dataset.state = 'idle';
}

/** Reads the model once (metrics, the grid's outputs, the weights) and redraws every view. */
async function refresh(): Promise<void> {
  if (!model) return;
  const y = (pts: PlaygroundData['train']) => targetsFor(pts.labels, s.output);
  const train = await model.evaluate(asMatrix(data.train.x, 2), y(data.train));
  const test = await model.evaluate(asMatrix(data.test.x, 2), y(data.test));
  p1 = probabilityOfOne(await model.predict(grid));
  params = await model.getWeights();
  if (epoch > 0) {
    curves.loss.push(train.loss);
    curves.valLoss.push(test.loss);
  }
  $('epoch').textContent = String(epoch);
  $('epoch').dataset.value = String(epoch);
  $('train-loss').textContent = train.loss.toFixed(4);
  $('test-loss').textContent = test.loss.toFixed(4);
  $('test-accuracy').textContent = pct(test.accuracy);
  $('test-accuracy').dataset.value = String(test.accuracy);
  $('steps-per-second').textContent = stepSeconds > 0 ? Math.round(steps / stepSeconds).toLocaleString('en') : '–';
  const status = model.status?.(s.dataset);
  $('model-status').textContent = status?.text ?? '';
  if (status?.done && running) pause();
  draw();
  $('curves').innerHTML = curves.loss.length
    ? historyToSvg(curves, { width: 560, height: 220, title: 'train and test loss', valLabel: 'test', xLabel: `view (one every ${EPOCHS_PER_FRAME} epochs)` }).replace(/^<\?xml[^>]*>\s*/, '')
    : '';
}

function draw(): void {
  if (!model) return;
  const centres = model.centres?.() ?? [];
  const line = model.line?.(params) ?? null;
  drawPlane(plane, p1, G, data, s.showTest, hovered, centres, line);
  // what was drawn, for tests and for anyone reading the page: the centres (x, y, σ) and the line's w, b
  plane.dataset.centres = JSON.stringify(centres);
  plane.dataset.line = line ? JSON.stringify(line) : '';
  const pts = hovered ? data[hovered.set] : null;
  let deltas: Float32Array[] | null = null;
  if (pts && hovered) {
    const x = [pts.x[hovered.i * 2], pts.x[hovered.i * 2 + 1]];
    const target = targetsFor(pts.labels.subarray(hovered.i, hovered.i + 1), s.output).data;
    const input = seen[hovered.set]!;
    deltas = patternDeltas(model.layers, params, OUTPUTS[s.output].loss, input.data.subarray(hovered.i * input.cols, (hovered.i + 1) * input.cols), target);
    $('hover').textContent =
      `${hovered.set} point #${hovered.i} at (${x.map((v) => v.toFixed(2)).join(', ')}), class ${pts.labels[hovered.i]}:\n` +
      deltas.map((d, l) => `  ${l === deltas!.length - 1 ? 'output' : `hidden ${l + 1}`} δ = [${Array.from(d, (v) => v.toFixed(4)).join(', ')}]`).join('\n');
  }
  drawNetwork($<HTMLCanvasElement>('network'), {
    outputs: layerOutputs(model.layers, params, seen.grid!),
    activations: model.layers.map((l) => l.activation),
    params,
    grid: seen.grid!,
    inputLabel: model.featureLabel ?? 'x',
    G: G_UNITS,
    deltas,
  });
}

/** EPOCHS_PER_FRAME epochs of training, then one refresh of the views. */
async function frame(): Promise<void> {
  if (!model) return;
  const batchSize = s.mode === 'online' ? 1 : s.mode === 'full' ? 'full' : s.batch;
  const t0 = performance.now();
  await model.fit(asMatrix(data.train.x, 2), targetsFor(data.train.labels, s.output), { epochs: EPOCHS_PER_FRAME, batchSize, shuffle: true });
  stepSeconds += (performance.now() - t0) / 1000;
  steps += EPOCHS_PER_FRAME * (batchSize === 'full' ? 1 : Math.ceil(data.train.rows / Math.min(batchSize, data.train.rows)));
  epoch += EPOCHS_PER_FRAME;
  await refresh();
}

async function run(): Promise<void> {
  document.body.dataset.state = 'training';
  while (running) {
    await frame();
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }
  if (document.body.dataset.state === 'training') document.body.dataset.state = 'idle';
}

/** One action at a time, so a reset never lands in the middle of a frame. */
let queue: Promise<void> = Promise.resolve();
const act = (f: () => Promise<void>) => void (queue = queue.then(f).catch(fail));

function pause(): void {
  running = false;
  runButton.textContent = 'Train';
  runButton.setAttribute('aria-pressed', 'false');
}

runButton.addEventListener('click', () => {
  if (running) return pause();
  running = true;
  runButton.textContent = 'Pause';
  runButton.setAttribute('aria-pressed', 'true');
  act(run);
});
$('once').addEventListener('click', () => {
  if (!running) act(frame);
});
$('reset').addEventListener('click', () => {
  pause();
  act(reset);
});
form.addEventListener('change', (e) => {
  const name = (e.target as HTMLInputElement).name;
  if (name === 'showTest') {
    s.showTest = (e.target as HTMLInputElement).checked;
    draw();
    return;
  }
  pause();
  act(reset);
});
/** A model with its own output · loss (the perceptron's step unit) sets and locks that choice; others may not pick it. */
function fitOutputTo(m: PlaygroundModel): void {
  const select = field('output') as HTMLSelectElement;
  for (const o of Array.from(select.options)) o.disabled = m.output ? o.value !== m.output : o.value === 'step-perceptron';
  if (m.output) select.value = m.output;
  else if (select.selectedOptions[0]?.disabled) select.value = DEFAULTS.output;
  select.disabled = m.output !== undefined;
  // only the fields a model uses are shown: the perceptron and the RBF network have no hidden layers, and the
  // perceptron's rule has no optimizer, batches or L2 (it updates after every pattern, in order)
  const uses: Record<string, boolean> = {
    hidden: m.id === 'mlp', activation: m.id === 'mlp', centres: m.id === 'rbf',
    optimizer: m.id !== 'perceptron', mode: m.id !== 'perceptron', batch: m.id !== 'perceptron', l2: m.id !== 'perceptron',
  };
  for (const [k, shown] of Object.entries(uses)) (field(k).closest('label') as HTMLElement).hidden = !shown;
  $('layer-editor').hidden = !uses.hidden;
}
form.addEventListener('input', () => {
  $('noise-out').textContent = field('noise').value;
  $('ratio-out').textContent = `${Math.round(Number(field('ratio').value) * 100)}%`;
});
form.addEventListener('submit', (e) => e.preventDefault());

// ---- hover (or arrow keys) on the plane: every unit's δ for that point ------------------------------
plane.addEventListener('pointermove', (e) => {
  const r = plane.getBoundingClientRect();
  const x = ((e.clientX - r.left) / r.width) * 2 * EXTENT - EXTENT;
  const y = EXTENT - ((e.clientY - r.top) / r.height) * 2 * EXTENT;
  let best: typeof hovered = null;
  let bestD = ((12 / r.width) * 2 * EXTENT) ** 2;
  for (const set of s.showTest ? (['train', 'test'] as const) : (['train'] as const)) {
    const pts = data[set];
    for (let i = 0; i < pts.rows; i++) {
      const d = (pts.x[i * 2] - x) ** 2 + (pts.x[i * 2 + 1] - y) ** 2;
      if (d < bestD) [best, bestD] = [{ set, i }, d];
    }
  }
  if (best?.i !== hovered?.i || best?.set !== hovered?.set) {
    hovered = best;
    draw();
  }
});
plane.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
  e.preventDefault();
  const n = data.train.rows;
  const i = hovered?.set === 'train' ? hovered.i : -1;
  hovered = { set: 'train', i: (i + (e.key === 'ArrowRight' ? 1 : n - 1) + (i < 0 ? 1 : 0)) % n };
  draw();
});

// ---- start ----------------------------------------------------------------------------------------------
const fill = (name: string, options: [string, string][]) => {
  (field(name) as HTMLSelectElement).replaceChildren(...options.map(([value, label]) => new Option(label, value)));
};
fill('dataset', Object.entries(DATASETS));
fill('model', MODELS.map((m) => [m.id, m.label]));
fill('output', Object.entries(OUTPUTS).map(([k, o]) => [k, o.label]));
const q = new URLSearchParams(location.search);
for (const [k, v] of Object.entries(DEFAULTS)) {
  const value = q.get(k) ?? v;
  const el = field(k);
  if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === '1' || value === 'true';
  else el.value = value;
}
form.dispatchEvent(new Event('input'));
layerEditor($('layer-editor'), field('hidden') as HTMLInputElement);
void showAdapter().then((a) => {
  offerBackends(field('backend') as HTMLSelectElement, a);
  act(reset);
  if (q.get('autostart') === '1') runButton.click();
});
