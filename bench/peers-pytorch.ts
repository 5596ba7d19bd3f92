/**
 * The PyTorch peer of the training benchmark: native PyTorch (Debian's python3-torch 1.13) on Debian's
 * OpenBLAS OpenMP build, set up by bench/pytorch/setup.sh (which says why that BLAS and how). bench/training.ts
 * runs it in its own child process like the other peers; that child writes the very digits deltagpu trains on
 * to a temporary PREFIX.json/.x/.y (float32 rows, uint8 labels) and runs bench/pytorch/mlp.py on them: the
 * same MLP (ReLU hidden, softmax + cross-entropy), SGD, batch sizes, per-epoch shuffling and epoch timing.
 *
 * Optional: where python3 or torch is absent the harness lists the peer as unavailable with the reason (and
 * how to set it up) instead of failing; it is never part of `npm test`. The Python interpreter is
 * $DELTAGPU_PYTHON, else /usr/bin/python3 (Debian's torch is not visible to a pyenv or venv python), else
 * python3. OpenBLAS is taken from bench/pytorch/.blas/ when setup.sh unpacked it there; the JSON result
 * records which BLAS the Python process actually mapped, so a run on the reference BLAS cannot pass unseen.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/data/dataset.ts';
import type { BackendRun } from './peer-run.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const PYTORCH_DIR = join(here, 'pytorch');
const SETUP_HINT = 'set it up with: bash bench/pytorch/setup.sh (apt-get install python3-torch, plus OpenBLAS unpacked privately)';

export function pythonCommand(): string {
  if (process.env.DELTAGPU_PYTHON) return process.env.DELTAGPU_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** The environment setup.sh prints: its OpenBLAS folder first on LD_LIBRARY_PATH, OpenMP threads = cores. */
export function pytorchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const lib = join(PYTORCH_DIR, '.blas', 'usr', 'lib');
  if (existsSync(lib)) {
    for (const arch of readdirSync(lib)) {
      const dir = join(lib, arch, 'openblas-openmp');
      if (existsSync(dir)) env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${dir}:${env.LD_LIBRARY_PATH}` : dir;
    }
  }
  env.OMP_NUM_THREADS ??= String(cpus().length);
  return env;
}

/** Whether the peer can run here; if not, why (python3 missing, torch not importable). */
export function pytorchAvailability(): { ok: true } | { ok: false; reason: string } {
  const python = pythonCommand();
  const r = spawnSync(python, ['-c', 'import torch'], { env: pytorchEnv(), encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, reason: `${python} not found (${r.error.message}); ${SETUP_HINT}` };
  if (r.status !== 0) return { ok: false, reason: `${python} cannot import torch; ${SETUP_HINT}` };
  return { ok: true };
}

/** Writes the data set as bench/pytorch/deltagpu_torch.read_raw reads it; returns the prefix. */
export function writeRawDataset(data: Dataset, dir: string): string {
  const prefix = join(dir, 'train');
  writeFileSync(`${prefix}.json`, JSON.stringify({ rows: data.rows, inputs: data.x.cols, classes: data.classes }));
  const x = data.x.data;
  writeFileSync(`${prefix}.x`, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  writeFileSync(`${prefix}.y`, Uint8Array.from(data.labels));
  return prefix;
}

/** The child's work: run mlp.py on `data` and copy its runs, device line and runtime into `out`. */
export async function pytorchChild(data: Dataset, epochs: number, batches: number[], out: BackendRun, sizes: number[], learningRate: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deltagpu-pytorch-'));
  try {
    const prefix = writeRawDataset(data, dir);
    const args = [join(PYTORCH_DIR, 'mlp.py'), '--data', prefix, '--layers', sizes.join(','), '--batches', batches.join(','), '--epochs', String(epochs), '--lr', String(learningRate)];
    const stdout = await new Promise<string>((res, rej) => {
      const child = spawn(pythonCommand(), args, { env: pytorchEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', rej);
      child.on('close', (code) => (code === 0 ? res(text) : rej(new Error(`mlp.py exited with code ${code}`))));
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as BackendRun & { runtime: Record<string, unknown> };
    out.device = r.device;
    out.runs.push(...r.runs);
    (out as BackendRun & { runtime?: unknown }).runtime = r.runtime;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** deltagpu cpu ÷ PyTorch at each batch size, and what PyTorch ran on (empty when PyTorch did not run). */
export function pytorchRatioLines(r: { batchSizes: number[]; runs: BackendRun[] }): string[] {
  const torch = r.runs.find((x) => x.backend === 'pytorch' && !x.error);
  const cpu = r.runs.find((x) => x.backend === 'cpu' && !x.error);
  if (!torch) return [];
  const sps = (run: BackendRun, bs: number) => run.runs.find((y) => y.batchSize === bs)?.samplesPerSecond;
  const ratios = cpu ? r.batchSizes.map((bs) => `batch ${bs}: ${((sps(cpu, bs) ?? NaN) / (sps(torch, bs) ?? NaN)).toFixed(2)}×`) : [];
  const rt = (torch as BackendRun & { runtime?: { blas_libraries?: string[]; openblas_config?: string | null } }).runtime;
  return [
    '',
    `PyTorch peer: ${torch.device}; BLAS libraries mapped: ${rt?.blas_libraries?.join(', ') || 'none found'}${rt?.openblas_config ? ` (${rt.openblas_config})` : ''}.`,
    ...(ratios.length ? [`deltagpu cpu ÷ PyTorch — ${ratios.join('; ')}.`] : []),
  ];
}
