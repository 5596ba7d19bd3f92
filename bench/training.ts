/**
 * Training-throughput suite: samples/s for the MNIST MLP 784-128-10 (ReLU hidden, softmax + categorical
 * cross-entropy), plain SGD lr 0.1, on the embedded digits (`loadMnist({seed: 1})`, 8,000 training digits),
 * batch 64 and 256, shuffled each epoch. Each run trains a fresh model for `epochs` epochs; the first is a
 * warm-up (pipeline compilation, JIT, buffer pools) and the samples/s of the others are averaged — the way
 * the peers' figures in shared/webgpu-on-cpu.md were taken (epochs 2–3 of 3).
 *
 * Backends: deltagpu `cpu` and `webgpu` (through `model.compile({backend})`), the TF.js 4.22 peers
 * `tfjs-cpu` (pure JS), `tfjs-wasm` (SIMD) and `tfjs-webgpu` (on the same Dawn adapter; bench/peers-tfjs.ts), and the jax-js
 * peers `jax-wasm`, `jax-webgpu`, `jax-cpu` (bench/peers-jax.ts). `--dense` swaps the digits for non-zero
 * inputs of the same shape; `--cpu-threads N` sets deltagpu cpu's threads. Each backend runs in
 * its own child process, so its peak RSS is its own and a crash (Dawn segfault) is reported, not fatal:
 *
 *   node bin/run-ts.js bench/training.ts --child BACKEND --result FILE [--epochs 3] [--batches 64,256] [--train 8000]
 *
 * A run that does not train (non-finite loss, training accuracy below 50% after its epochs, zero throughput)
 * is an error, never a row of zeros.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/mnist.ts';
import { makeDataset } from '../src/data/dataset.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { JS_PEERS, jsPeerChild, peerRatiosMarkdown } from './peers-js.ts';
import type { JsPeer } from './peers-js.ts';
import { JAX_BACKENDS, jaxChild } from './peers-jax.ts';
import { tfjsChild } from './peers-tfjs.ts';
import { pytorchAvailability, pytorchChild, pytorchRatioLines } from './peers-pytorch.ts';
import { peakRssSinceReset, resetPeakRss } from './peak-rss.ts';
import type { JaxBackend } from './peers-jax.ts';
import { countGpuBytes, epochTimer } from './peer-run.ts';
import type { BackendRun, BatchRun } from './peer-run.ts';

// the run records live in peer-run.ts (the peers import them from there, so no peer imports this file back)
export type { BackendRun, BatchRun } from './peer-run.ts';
export { countGpuBytes, epochTimer } from './peer-run.ts';

export const TRAINING_BACKENDS = ['cpu', 'webgpu', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', ...JAX_BACKENDS, ...JS_PEERS, 'pytorch'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

const LEARNING_RATE = 0.1;
const HIDDEN = 128;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export interface TrainingOptions {
  backends: readonly string[];
  quick?: boolean;
  /** epochs per run, the first a warm-up (default 3; 2 with --quick) */
  epochs?: number;
  /** default [64, 256] */
  batchSizes?: number[];
  /** training digits (default 8000; 2000 with --quick) */
  train?: number;
  log?: (s: string) => void;
  /** dense random inputs of the digits' shape instead of the digits (see denseInputs) */
  dense?: boolean;
  /** deltagpu cpu: worker threads (default: the backend's, the available parallelism) */
  cpuThreads?: number;
  /** hidden layer widths (default [128]); other widths only for cpu, webgpu and pytorch */
  hidden?: number[];
}

export interface TrainingResult {
  model: string;
  trainDigits: number;
  epochs: number;
  measuredEpochs: string;
  batchSizes: number[];
  runs: BackendRun[];
  unavailable: { backend: string; reason: string; reference?: string }[];
}

export const TFJS_NODE_UNAVAILABLE = {
  backend: 'tfjs-node',
  reason:
    "@tensorflow/tfjs-node can't be installed here: its install script downloads the native TensorFlow library from a host this machine cannot reach",
  reference: 'shared/webgpu-on-cpu.md lists ~9,500 (batch 64) and ~25,000 (batch 256) samples/s for it (native TF, 2 threads) from that note’s own measurement; not re-measured by this harness',
};

// ---------------------------------------------------------------- parent: one child process per backend

export async function runTrainingBench(options: TrainingOptions): Promise<TrainingResult> {
  const log = options.log ?? ((s: string) => console.error(s));
  const epochs = options.epochs ?? (options.quick ? 2 : 3);
  const batchSizes = options.batchSizes ?? [64, 256];
  const train = options.train ?? (options.quick ? 2000 : 8000);
  const hidden = options.hidden ?? [HIDDEN];
  const dir = mkdtempSync(join(tmpdir(), 'deltagpu-bench-train-'));
  const runs: BackendRun[] = [];
  const skipped: TrainingResult['unavailable'] = [];
  try {
    for (const backend of options.backends) {
      if (!(TRAINING_BACKENDS as readonly string[]).includes(backend)) {
        runs.push({ backend, device: '', runs: [], error: `unknown backend '${backend}'` });
        continue;
      }
      if (hidden.join() !== String(HIDDEN) && !['cpu', 'webgpu', 'pytorch'].includes(backend)) {
        runs.push({ backend, device: '', runs: [], error: `--hidden ${hidden.join(',')}: this peer only trains 784-${HIDDEN}-10` });
        continue;
      }
      const py = backend === 'pytorch' ? pytorchAvailability() : { ok: true as const };
      if (!py.ok) {
        log(`training: pytorch skipped: ${py.reason}`);
        skipped.push({ backend, reason: py.reason });
        continue;
      }
      const resultFile = join(dir, `${backend}.json`);
      const args = [join(root, 'bin', 'run-ts.js'), join(here, 'training.ts'), '--child', backend, '--result', resultFile, '--epochs', String(epochs), '--batches', batchSizes.join(','), '--train', String(train), ...(options.dense ? ['--dense'] : []), ...(options.cpuThreads ? ['--cpu-threads', String(options.cpuThreads)] : []), '--hidden', hidden.join(',')];
      log(`training: ${backend} (batch ${batchSizes.join(', ')}, ${epochs} epochs of ${train} digits, first one warm-up) …`);
      const t0 = performance.now();
      const { code, signal, tail } = await runChild(args, log);
      let run: BackendRun;
      try {
        run = JSON.parse(readFileSync(resultFile, 'utf8')) as BackendRun;
      } catch {
        run = {
          backend,
          device: '',
          runs: [],
          error: `child process ${signal ? `killed by ${signal}` : `exited with code ${code}`} without a result; last output:\n${tail}`,
        };
      }
      if (!run.error && (code !== 0 || signal)) run.error = `child process ${signal ? `killed by ${signal}` : `exited with code ${code}`} after writing its result`;
      log(
        run.error
          ? `training: ${backend}: FAILED: ${run.error}`
          : `training: ${backend}: ${run.runs.map((r) => `batch ${r.batchSize}: ${fmt(r.samplesPerSecond)} samples/s`).join(', ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      runs.push(run);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    model: `MLP 784-${hidden.join('-')}-10 (ReLU, softmax + categorical cross-entropy), SGD lr ${LEARNING_RATE}, shuffled${options.dense ? '; dense inputs (0.9·digit + 0.1·U(0,1], no zeros)' : ''}`,
    trainDigits: train,
    epochs,
    measuredEpochs: epochs === 2 ? 'epoch 2' : `epochs 2–${epochs} averaged`,
    batchSizes,
    runs,
    unavailable: [TFJS_NODE_UNAVAILABLE, ...skipped],
  };
}

function runChild(args: string[], log: (s: string) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', (c: Buffer) => {
      keep(c);
      for (const line of c.toString().split('\n')) if (line.trim()) log(`  [child] ${line}`);
    });
    child.on('error', (e) => res({ code: -1, signal: null, tail: tail + String(e) }));
    child.on('close', (code, signal) => res({ code, signal, tail }));
  });
}

const fmt = (v: number | undefined | null) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const mib = (v: number | undefined | null) => (v === undefined || v === null ? '–' : `${(v / 2 ** 20).toFixed(1)} MiB`);

export function trainingMarkdown(r: TrainingResult): string {
  const peers = r.runs.filter((x) => (x.backend.startsWith('tfjs-') || x.backend.startsWith('jax-')) && !x.error);
  const best = (bs: number) => {
    let top: { backend: string; sps: number } | null = null;
    for (const p of peers) {
      const sps = p.runs.find((x) => x.batchSize === bs)?.samplesPerSecond;
      if (sps !== undefined && (!top || sps > top.sps)) top = { backend: p.backend, sps };
    }
    return top;
  };
  const bests = new Map(r.batchSizes.map((bs) => [bs, best(bs)]));
  const head = ['backend', ...r.batchSizes.flatMap((bs) => [`batch ${bs} samples/s`, `× best peer`]), 'peak RSS Δ', 'GPU buffers (peak)', 'train acc (last epoch)', 'runs on'];
  const rows = r.runs.map((x) => {
    if (x.error) return [`${x.backend}`, ...r.batchSizes.flatMap(() => ['**FAILED**', '']), '', '', '', x.error.split('\n')[0].replace(/\|/g, '/')];
    return [
      x.backend,
      ...r.batchSizes.flatMap((bs) => {
        const run = x.runs.find((y) => y.batchSize === bs);
        const b = bests.get(bs);
        return [fmt(run?.samplesPerSecond), run && b ? `${(run.samplesPerSecond / b.sps).toFixed(2)}×` : '–'];
      }),
      mib(x.peakRssDelta),
      x.gpuBytesPeak === undefined || x.gpuBytesPeak === null ? '–' : `${mib(x.gpuBytesPeak)}${x.gpuBytesNote ? ` (${x.gpuBytesNote})` : ''}`,
      x.runs.map((y) => `${(y.finalAccuracy * 100).toFixed(1)}%`).join(' / '),
      x.device.replace(/\|/g, '/'),
    ];
  });
  for (const u of r.unavailable) rows.push([u.backend, ...r.batchSizes.flatMap(() => ['unavailable', '']), '', '', '', u.reason]);
  const table = [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const bestLine = r.batchSizes.map((bs) => {
    const b = bests.get(bs);
    return `batch ${bs}: ${b ? `${b.backend} (${fmt(b.sps)} samples/s)` : 'no peer measured'}`;
  });
  return [
    `${r.model}; ${r.trainDigits.toLocaleString('en-US')} embedded MNIST digits; ${r.epochs} epochs per run, ${r.measuredEpochs} (epoch 1 is a warm-up).`,
    `Best peer — ${bestLine.join('; ')}. "× best peer" = samples/s ÷ the best peer's (TF.js or jax-js) at the same batch size.`,
    `Peak RSS Δ = the backend's child process's peak RSS minus its RSS just before the backend was created (data already loaded), over all batch sizes; on Linux the peak mark is reset at that moment (/proc/self/clear_refs), so loading the data does not count.`,
    '',
    table,
    '',
    ...r.unavailable.filter((u) => u.reference).map((u) => `${u.backend}: ${u.reference}.`),
    ...peerRatiosMarkdown(r),
    ...pytorchRatioLines(r),
  ].join('\n');
}

// ---------------------------------------------------------------- child: one backend, every batch size

async function deltagpuChild(backend: 'cpu' | 'webgpu', data: Dataset, epochs: number, batches: number[], out: BackendRun, hidden: number[], cpuThreads?: number): Promise<void> {
  const { sequential, dense, sgd } = await import('../src/index.ts');
  const { inputs, targets } = await import('../src/data/dataset.ts');
  const { createCpuBackend } = await import('../src/backends/cpu/backend.ts');
  let be: import('../src/backend.ts').Backend;
  let gpuStats: { live: number; peak: number } | null = null;
  let release = () => {};
  if (backend === 'cpu') {
    be = createCpuBackend(cpuThreads ? { threads: cpuThreads } : {});
  } else {
    const { requestGpu, createWebGpuBackend } = await import('../src/backends/webgpu/index.ts');
    const ctx = await requestGpu();
    if (!ctx) throw new Error('webgpu: no adapter (in Node without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)');
    gpuStats = countGpuBytes(ctx.device);
    const gpu = await createWebGpuBackend({ context: ctx });
    be = gpu;
    out.device = `${gpu.description}; matmul kernel '${gpu.matmulKernel}'`;
    release = () => {
      gpu.dispose();
      ctx.device.destroy();
    };
  }
  if (backend === 'cpu') out.device = be.description;
  for (const batchSize of batches) {
    const sizes = [784, ...hidden, 10];
    const model = sequential(sizes.slice(1).map((u, k) => dense(sizes[k], u, { activation: k === hidden.length ? 'softmax' : 'relu' })), { seed: 1 });
    model.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(LEARNING_RATE), backend: be });
    const t = epochTimer(epochs, data.x.rows);
    // the data as `deltagpu train` hands it over: 8-bit pixels and class indices for the digits (the GPU keeps
    // them bytes), float32 rows for --dense; the peers get the float32 rows and one-hot targets
    await model.fit(inputs(data), targets(data), {
      epochs,
      batchSize,
      shuffle: true,
      callbacks: { onEpochBegin: () => t.hooks.begin(), onEpochEnd: (_e, logs) => t.hooks.end(logs.loss, logs.accuracy) },
    });
    await model.dispose();
    out.runs.push(t.result(batchSize));
    process.stderr.write(`${backend} batch ${batchSize}: epochs ${out.runs.at(-1)!.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s\n`);
  }
  if (gpuStats) {
    out.gpuBytesPeak = gpuStats.peak;
    out.gpuBytesNote = 'all createBuffer sizes live at once, readback staging included';
  }
  release();
}

/**
 * The digits with every pixel made non-zero: 0.9·pixel + 0.1·u, u uniform in (0, 1]. Same shape and labels,
 * still learnable (so the accuracy check keeps its meaning), but with no zeros for a kernel to skip: this
 * measures the dense arithmetic alone.
 */
function denseInputs(d: Dataset): Dataset {
  let seed = 12345;
  const u = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed + 1) / 2 ** 32;
  };
  const x = Float32Array.from(d.x.data, (p) => 0.9 * p + 0.1 * u());
  // a float32 data set (no `pixels`), so every backend, deltagpu included, trains on these values
  return makeDataset({ ...d.x, data: x }, d.labels, { classes: d.classes, width: d.width, height: d.height, source: `${d.source}, dense` });
}

async function child(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { child: { type: 'string' }, result: { type: 'string' }, epochs: { type: 'string', default: '3' }, batches: { type: 'string', default: '64,256' }, train: { type: 'string', default: '8000' }, dense: { type: 'boolean', default: false }, 'cpu-threads': { type: 'string' }, hidden: { type: 'string', default: String(HIDDEN) } },
  });
  const backend = values.child as TrainingBackend;
  if (!(TRAINING_BACKENDS as readonly string[]).includes(backend)) throw new RangeError(`--child: unknown backend '${backend}'`);
  if (!values.result) throw new RangeError('--result FILE is required');
  const epochs = Number(values.epochs);
  const batches = values.batches.split(',').map(Number);
  const train = Number(values.train);
  const hidden = values.hidden.split(',').map(Number);
  const digits = loadMnist({ seed: 1, train, test: Math.min(2000, 10000 - train) }).train; void digits.x; // bytes now: widen before rssBefore, as when the loader gave float32
  const data = values.dense ? denseInputs(digits) : digits;
  const out: BackendRun = { backend, device: '', runs: [] };
  global.gc?.();
  out.rssBefore = process.memoryUsage().rss;
  // the process's peak RSS so far is loading the digits (parsing 21 MB of JSON); on Linux reset it, so the
  // peak read at the end is the backend's and its training's (else fall back to the lifetime peak)
  const peakReset = resetPeakRss();
  try {
    if (backend === 'cpu' || backend === 'webgpu') await deltagpuChild(backend, data, epochs, batches, out, hidden, values['cpu-threads'] ? Number(values['cpu-threads']) : undefined);
    else if (backend === 'pytorch') await pytorchChild(data, epochs, batches, out, [784, ...hidden, 10], LEARNING_RATE);
    else if (backend.startsWith('jax-')) await jaxChild(backend as JaxBackend, data, epochs, batches, out, epochTimer, HIDDEN, LEARNING_RATE);
    else if ((JS_PEERS as readonly string[]).includes(backend)) await jsPeerChild(backend as JsPeer, data, epochs, batches, out);
    else await tfjsChild(backend as 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgpu', data, epochs, batches, out);
  } catch (e) {
    out.error = (e as Error).message;
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  }
  out.peakRss = (peakReset ? peakRssSinceReset() : null) ?? process.resourceUsage().maxRSS * 1024;
  out.peakRssDelta = out.peakRss - out.rssBefore;
  out.loadAverage = Math.round((await import('node:os')).loadavg()[0] * 100) / 100;
  writeFileSync(values.result, JSON.stringify(out));
  process.exitCode = out.error ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  child(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
