/**
 * CNN training-throughput suite: samples/s of the Keras "Simple MNIST convnet" (28×28×1 → conv32 3×3 ReLU →
 * maxpool 2 → conv64 3×3 ReLU → maxpool 2 → flatten → dropout 0.5 → dense 10 softmax; categorical
 * cross-entropy, Adam lr 0.001) at batch 128 on the embedded digits, shuffled each epoch. Each backend trains a
 * fresh model for `epochs` epochs in its own child process; the first epoch is a warm-up (compiling, JIT) and
 * the samples/s of the others are averaged.
 *
 * Backends: deltagpu `cpu` (the WebAssembly network session) and `webgpu` (once the GPU backend takes conv
 * layers; until then its row says why not), and the peers of bench/peers-cnn.ts: TF.js `wasm` / `webgpu`,
 * jax-js `wasm` / `webgpu`, ConvNetJS. The ratios the goals name (cpu ≥ 2× jax-js wasm, ≥ 3× TF.js wasm;
 * webgpu ≥ 2× jax-js webgpu, ≥ 10× TF.js webgpu) are printed from the same run.
 *
 *   npm run bench -- --only cnn [--backends cpu,tfjs-wasm] [--quick]
 *   node bin/run-ts.js bench/cnn.ts --child BACKEND --result FILE [--epochs 2] [--train 2048] [--cpu-threads N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/mnist.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { CNN_LEARNING_RATE, CNN_PEERS, cnnPeerChild } from './peers-cnn.ts';
import type { CnnPeer, EpochLog } from './peers-cnn.ts';

export const CNN_BACKENDS = ['cpu', 'webgpu', ...CNN_PEERS] as const;
export type CnnBackend = (typeof CNN_BACKENDS)[number];
export const CNN_BATCH = 128;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export interface CnnRun {
  backend: string;
  device: string;
  epochSeconds: number[];
  /** mean samples/s over the epochs after the first */
  samplesPerSecond: number;
  finalLoss: number;
  finalAccuracy: number;
  error?: string;
  /** the peer cannot train this network (error says why) */
  unavailable?: boolean;
}

export interface CnnResult {
  model: string;
  trainDigits: number;
  epochs: number;
  batchSize: number;
  runs: CnnRun[];
  /** backends asked for that this suite has no CNN for */
  skipped: string[];
}

export interface CnnOptions {
  backends: readonly string[];
  quick?: boolean;
  /** default 3 (2 with --quick); the first is a warm-up */
  epochs?: number;
  /** training digits (default 4096; 1024 with --quick) */
  train?: number;
  cpuThreads?: number;
  log?: (s: string) => void;
}

export async function runCnnBench(o: CnnOptions): Promise<CnnResult> {
  const log = o.log ?? ((s: string) => console.error(s));
  const epochs = o.epochs ?? (o.quick ? 2 : 3);
  const train = o.train ?? (o.quick ? 1024 : 4096);
  const backends = o.backends.filter((b) => (CNN_BACKENDS as readonly string[]).includes(b));
  const dir = mkdtempSync(join(tmpdir(), 'deltagpu-bench-cnn-'));
  const runs: CnnRun[] = [];
  try {
    for (const backend of backends) {
      const file = join(dir, `${backend}.json`);
      const args = [join(root, 'bin', 'run-ts.js'), join(here, 'cnn.ts'), '--child', backend, '--result', file, '--epochs', String(epochs), '--train', String(train), ...(o.cpuThreads ? ['--cpu-threads', String(o.cpuThreads)] : [])];
      log(`cnn: ${backend} (${epochs} epochs of ${train} digits, batch ${CNN_BATCH}, first one warm-up) …`);
      const { code, tail } = await runChild(args, log);
      let run: CnnRun;
      try {
        run = JSON.parse(readFileSync(file, 'utf8')) as CnnRun;
      } catch {
        run = { backend, device: '', epochSeconds: [], samplesPerSecond: NaN, finalLoss: NaN, finalAccuracy: NaN, error: `child exited with code ${code} without a result; last output:\n${tail}` };
      }
      // a peer that cannot train this net at all (TF.js 4.22's wasm backend has no Conv2DBackpropFilter kernel)
      // is a finding, not a broken run
      if (run.error && /not registered for backend/.test(run.error)) run.unavailable = true;
      log(run.error ? `cnn: ${backend}: FAILED: ${run.error.split('\n')[0]}` : `cnn: ${backend}: ${Math.round(run.samplesPerSecond)} samples/s`);
      runs.push(run);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    model: `Keras "Simple MNIST convnet" (conv32 3×3 ReLU, maxpool 2, conv64 3×3 ReLU, maxpool 2, flatten, dropout 0.5, dense 10 softmax), Adam lr ${CNN_LEARNING_RATE}, batch ${CNN_BATCH}`,
    trainDigits: train,
    epochs,
    batchSize: CNN_BATCH,
    runs,
    skipped: o.backends.filter((b) => !(CNN_BACKENDS as readonly string[]).includes(b)),
  };
}

function runChild(args: string[], log: (s: string) => void): Promise<{ code: number | null; tail: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let tail = '';
    const keep = (c: Buffer) => {
      tail = (tail + c.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', (c: Buffer) => {
      keep(c);
      for (const line of c.toString().split('\n')) if (line.trim()) log(`  [child] ${line}`);
    });
    child.on('error', (e) => res({ code: -1, tail: tail + String(e) }));
    child.on('close', (code, signal) => res({ code: signal ? -1 : code, tail }));
  });
}

const fmt = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');

export function cnnMarkdown(r: CnnResult): string {
  const ok = r.runs.filter((x) => !x.error);
  const rows = r.runs.map((x) =>
    x.error
      ? `| ${x.backend} | ${x.unavailable ? 'cannot train it' : '**FAILED**'} | | ${x.error.split('\n')[0].replace(/\|/g, '/')} |`
      : `| ${x.backend} | ${fmt(x.samplesPerSecond)} | ${(x.finalAccuracy * 100).toFixed(1)}% | ${x.device.replace(/\|/g, '/')} |`,
  );
  const ratios: string[] = [];
  for (const ours of ok.filter((x) => x.backend === 'cpu' || x.backend === 'webgpu')) {
    const cells = ok.filter((p) => p.backend !== 'cpu' && p.backend !== 'webgpu').map((p) => `${p.backend} ${(ours.samplesPerSecond / p.samplesPerSecond).toFixed(2)}×`);
    if (cells.length) ratios.push(`- ${ours.backend} ÷ ${cells.join('; ')}`);
  }
  return [
    `${r.model}; ${r.trainDigits.toLocaleString('en-US')} embedded MNIST digits; ${r.epochs} epochs per backend, the first a warm-up.`,
    'Goals: cpu ≥ 2× jax-wasm and ≥ 3× tfjs-wasm; webgpu ≥ 2× jax-webgpu and ≥ 10× tfjs-webgpu (PyTorch on this machine: ~5,200 samples/s, issue 23).',
    '',
    '| backend | samples/s | train acc (last epoch) | runs on |',
    '|---|---:|---:|---|',
    ...rows,
    ...(ratios.length ? ['', 'Ours ÷ each peer (same run):', '', ...ratios] : []),
    ...(r.skipped.length ? ['', `No CNN in this suite for: ${r.skipped.join(', ')}.`] : []),
  ].join('\n');
}

// ---------------------------------------------------------------- child: one backend

function timer(epochs: number, n: number) {
  const seconds: number[] = [];
  let t0 = 0;
  let loss = NaN;
  let accuracy = NaN;
  const log: EpochLog = {
    begin: () => {
      t0 = performance.now();
    },
    end: (l, a) => {
      seconds.push((performance.now() - t0) / 1000);
      process.stderr.write(`epoch ${seconds.length}: ${seconds.at(-1)!.toFixed(2)} s, loss ${l.toFixed(4)}, accuracy ${(a * 100).toFixed(1)}%\n`);
      [loss, accuracy] = [l, a];
    },
  };
  const result = (backend: string, device: string): CnnRun => {
    if (seconds.length !== epochs) throw new Error(`expected ${epochs} epochs, timed ${seconds.length}`);
    const measured = seconds.slice(1);
    const sps = measured.reduce((s, t) => s + n / t, 0) / measured.length;
    if (!Number.isFinite(loss)) throw new Error(`the training loss is ${loss}: the backend did not train`);
    return { backend, device, epochSeconds: seconds, samplesPerSecond: sps, finalLoss: loss, finalAccuracy: accuracy };
  };
  return { log, result };
}

async function deltagpuCnn(backend: 'cpu' | 'webgpu', data: Dataset, epochs: number, log: EpochLog, cpuThreads?: number): Promise<string> {
  const { sequential, conv2d, maxPool2d, flatten, dropout, dense, adam } = await import('../src/index.ts');
  const { inputs, targets } = await import('../src/data/dataset.ts');
  let be: import('../src/backend.ts').Backend;
  let release = () => {};
  if (backend === 'cpu') {
    const { createCpuBackend } = await import('../src/backends/cpu/backend.ts');
    be = createCpuBackend(cpuThreads ? { threads: cpuThreads } : {});
  } else {
    // the hook for conv-capable WebGPU: until the GPU backend takes conv layers, compile() says why not
    const { requestGpu, createWebGpuBackend } = await import('../src/backends/webgpu/index.ts');
    const ctx = await requestGpu();
    if (!ctx) throw new Error('webgpu: no adapter (in Node without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)');
    const gpu = await createWebGpuBackend({ context: ctx });
    be = gpu;
    release = () => {
      gpu.dispose();
      ctx.device.destroy();
    };
  }
  const model = sequential(
    [
      conv2d(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
      maxPool2d(2),
      conv2d(64, 3, { activation: 'relu' }),
      maxPool2d(2),
      flatten(),
      dropout(0.5),
      dense(10, { activation: 'softmax' }),
    ],
    { seed: 1 },
  );
  model.compile({ loss: 'categoricalCrossentropy', optimizer: adam(CNN_LEARNING_RATE), backend: be });
  await model.fit(inputs(data), targets(data), {
    epochs,
    batchSize: CNN_BATCH,
    shuffle: true,
    callbacks: { onEpochBegin: () => log.begin(), onEpochEnd: (_e, logs) => log.end(logs.loss, logs.accuracy) },
  });
  await model.dispose();
  release();
  return be.description;
}

async function child(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { child: { type: 'string' }, result: { type: 'string' }, epochs: { type: 'string', default: '3' }, train: { type: 'string', default: '4096' }, 'cpu-threads': { type: 'string' } } });
  const backend = values.child as CnnBackend;
  if (!(CNN_BACKENDS as readonly string[]).includes(backend)) throw new RangeError(`--child: unknown backend '${backend}'; expected ${CNN_BACKENDS.join(', ')}`);
  if (!values.result) throw new RangeError('--result FILE is required');
  const epochs = Number(values.epochs);
  const train = Number(values.train);
  if (!(Number.isInteger(epochs) && epochs >= 2)) throw new RangeError('--epochs must be an integer ≥ 2 (the first epoch is a warm-up)');
  const data = loadMnist({ seed: 1, train, test: Math.min(1000, 10000 - train) }).train;
  // the peers train on full batches only (one compiled shape); deltagpu's last batch is short
  const n = backend.startsWith('jax-') ? Math.floor(train / CNN_BATCH) * CNN_BATCH : train;
  const t = timer(epochs, n);
  let out: CnnRun;
  try {
    const device = backend === 'cpu' || backend === 'webgpu' ? await deltagpuCnn(backend, data, epochs, t.log, values['cpu-threads'] ? Number(values['cpu-threads']) : undefined) : await cnnPeerChild(backend as CnnPeer, data, epochs, CNN_BATCH, t.log);
    out = t.result(backend, device);
  } catch (e) {
    out = { backend, device: '', epochSeconds: [], samplesPerSecond: NaN, finalLoss: NaN, finalAccuracy: NaN, error: (e as Error).message };
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  }
  writeFileSync(values.result, JSON.stringify(out));
  process.exitCode = out.error ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv.includes('--child')) {
    child(argv).catch((e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    });
  } else {
    const { values } = parseArgs({ args: argv, options: { backends: { type: 'string' }, quick: { type: 'boolean', default: false }, epochs: { type: 'string' }, train: { type: 'string' } } });
    runCnnBench({ backends: values.backends?.split(',') ?? [...CNN_BACKENDS], quick: values.quick, epochs: values.epochs ? Number(values.epochs) : undefined, train: values.train ? Number(values.train) : undefined }).then((r) => console.log(cnnMarkdown(r)));
  }
}
