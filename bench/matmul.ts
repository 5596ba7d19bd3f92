/**
 * Matmul benchmark: GFLOP/s of the WGSL kernels (naive, register-blocked, shared-memory tiled) against a
 * plain JavaScript loop, for squares 256…2048 and the MNIST layer shapes (batch × 784 × 128).
 *
 *   node bin/run-ts.js bench/matmul.ts [--full] [--budget SECONDS] [--max-run SECONDS] [--sizes 256,512]
 *
 * Squares use C = A·B (NN); the MNIST shapes use the forward pass's X·Wᵀ (NT) and the weight gradient δᵀ·X
 * (TN), each also with X as 8-bit pixels for the register-blocked kernels ('wide u8': how a byte data set's
 * batch reaches the first layer, see shaders/operand_a_u8.wgsl). GPU time comes from
 * timestamp queries around one compute pass of `reps` dispatches where the adapter has them, else from
 * the wall clock around submit → onSubmittedWorkDone. A (kernel, shape) whose single warm-up run takes
 * longer than --max-run seconds (default 20) is skipped and reported so, unless --full: a software
 * adapter runs the naive 2048² kernel for minutes. Writes bench/out/matmul.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requestGpu } from '../src/backends/webgpu/device.ts';
import type { GpuContext } from '../src/backends/webgpu/device.ts';
import { BYTE_OPERAND_KERNELS, Kernels, MATMUL_KERNELS, matmulAvailable } from '../src/backends/webgpu/kernels.ts';
import type { MatmulForm, MatmulKernel } from '../src/backends/webgpu/kernels.ts';
import { GpuMemory } from '../src/backends/webgpu/memory.ts';
import { GpuMatmul, operandShapes } from '../src/backends/webgpu/matmul.ts';
import { timePass } from '../src/backends/webgpu/timing.ts';

export interface MatmulBenchOptions {
  /** seconds to spend per measurement (reps are chosen to fill it); default 1.5 */
  budget?: number;
  /** skip a (kernel, shape) whose warm-up run takes longer than this; default 20 s */
  maxRun?: number;
  /** run everything regardless of maxRun */
  full?: boolean;
  /** square sizes; default 256, 512, 1024, 2048 */
  sizes?: number[];
  /** where to write matmul.json / matmul.md; null to skip writing */
  outDir?: string | null;
  log?: (line: string) => void;
  context?: GpuContext;
}

export interface MatmulBenchRow {
  shape: string;
  M: number;
  K: number;
  N: number;
  form: MatmulForm;
  impl: string;
  gflops: number | null;
  ms: number | null;
  reps: number;
  timing: 'timestamp' | 'wall' | 'cpu' | 'skipped';
  note?: string;
}

export interface MatmulBenchResult {
  adapter: string;
  date: string;
  cores: number;
  rows: MatmulBenchRow[];
}

const now = () => performance.now();

function cpuMatmul(A: Float32Array, B: Float32Array, C: Float32Array, M: number, K: number, N: number, form: MatmulForm): void {
  // i-k-j order: the inner loop runs along rows of B and C (NN); for NT it is a dot product of two rows
  C.fill(0);
  if (form === 'NT') {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * K + k] * B[j * K + k];
      C[i * N + j] = s;
    }
    return;
  }
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
    const a = A[i * K + k];
    const bo = k * N;
    const co = i * N;
    for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
  }
}

/** Per-repetition time of `reps` products in one compute pass (the tuner's own timer: timestamps, else wall). */
function timeGpu(ctx: GpuContext, mm: GpuMatmul, reps: number): Promise<{ ms: number; timing: 'timestamp' | 'wall' }> {
  return timePass(ctx.device, reps, (pass, n) => mm.encode(pass, n));
}

export async function runMatmulBench(options: MatmulBenchOptions = {}): Promise<MatmulBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const budget = (options.budget ?? 1.5) * 1000;
  const maxRun = (options.maxRun ?? 20) * 1000;
  const sizes = options.sizes ?? [256, 512, 1024, 2048];
  const ctx = options.context ?? (await requestGpu());
  const os = await import('node:os');
  const result: MatmulBenchResult = { adapter: ctx ? ctx.describe() : 'none', date: new Date().toISOString(), cores: os.cpus().length, rows: [] };
  const shapes: { shape: string; M: number; K: number; N: number; form: MatmulForm }[] = [
    ...sizes.map((s) => ({ shape: `${s}²`, M: s, K: s, N: s, form: 'NN' as MatmulForm })),
    { shape: 'MNIST fwd 64×784×128', M: 64, K: 784, N: 128, form: 'NT' },
    { shape: 'MNIST fwd 256×784×128', M: 256, K: 784, N: 128, form: 'NT' },
    // the weight gradient δᵀ·X of the same layer (TN, M × N = 128 × 784, summed over the batch)
    { shape: 'MNIST grad 128×64×784', M: 128, K: 64, N: 784, form: 'TN' },
    { shape: 'MNIST grad 128×256×784', M: 128, K: 256, N: 784, form: 'TN' },
  ];
  log(`matmul benchmark on ${result.adapter}, ${result.cores} CPU cores`);
  const mem = ctx ? new GpuMemory(ctx.device) : null;
  const kernels = ctx ? new Kernels(ctx.device) : null;
  // last measured GFLOP/s per kernel on a square, to skip runs that would take minutes before starting them
  const lastRate = new Map<string, number>();
  for (const { shape, M, K, N, form } of shapes) {
    const flops = 2 * M * K * N;
    const s = operandShapes(form, { M, N, R: K });
    const A = Float32Array.from({ length: s.a[0] * s.a[1] }, (_, k) => ((k * 7919) % 1000) / 1000 - 0.5);
    const B = Float32Array.from({ length: s.b[0] * s.b[1] }, (_, k) => ((k * 104729) % 1000) / 1000 - 0.5);
    const base = { shape, M, K, N, form };
    // the first layer's products read a byte data set's batch as packed 8-bit pixels (subgroup kernel only)
    const bytesOf = (x: Float32Array) => Uint8Array.from(x, (v) => Math.round((v + 0.5) * 255));
    const byteKernels = shape.startsWith('MNIST') && ctx ? BYTE_OPERAND_KERNELS.filter((k) => matmulAvailable(k, ctx.features)).map((k) => `${k} u8`) : [];
    if (ctx && mem && kernels) {
      for (const kernel of [...MATMUL_KERNELS, ...byteKernels]) {
        const rate = lastRate.get(kernel);
        const guess = rate ? flops / rate / 1e6 : 0;
        if (guess > 3 * maxRun && !options.full) {
          result.rows.push({ ...base, impl: `webgpu ${kernel}`, gflops: null, ms: null, reps: 0, timing: 'skipped', note: `estimated ${(guess / 1000).toFixed(0)} s per run` });
          log(`  ${shape.padEnd(24)} ${`webgpu ${kernel}`.padEnd(16)} skipped (estimated ${(guess / 1000).toFixed(0)} s per run; --full runs it)`);
          continue;
        }
        const u8 = kernel.endsWith(' u8');
        const mm = await GpuMatmul.create(mem, kernels, kernel.replace(' u8', '') as MatmulKernel, form, { M, N, R: K }, u8 && form === 'NT' ? bytesOf(A) : A, u8 && form === 'TN' ? bytesOf(B) : B);
        const warm = await timeGpu(ctx, mm, 1); // includes pipeline warm-up
        if (warm.ms > maxRun && !options.full) {
          result.rows.push({ ...base, impl: `webgpu ${kernel}`, gflops: flops / warm.ms / 1e6, ms: warm.ms, reps: 1, timing: warm.timing, note: `one run took ${(warm.ms / 1000).toFixed(1)} s > max-run; not repeated` });
        } else {
          const reps = Math.max(1, Math.min(1000, Math.round(budget / Math.max(warm.ms, 1e-3))));
          const t = await timeGpu(ctx, mm, reps);
          result.rows.push({ ...base, impl: `webgpu ${kernel}`, gflops: flops / t.ms / 1e6, ms: t.ms, reps, timing: t.timing });
        }
        const r = result.rows[result.rows.length - 1];
        if (form === 'NN') lastRate.set(kernel, r.gflops!);
        log(`  ${shape.padEnd(24)} ${r.impl.padEnd(16)} ${r.gflops!.toFixed(3).padStart(8)} GFLOP/s  (${r.ms!.toFixed(2)} ms × ${r.reps}, ${r.timing})`);
        mem.destroyAll();
      }
    }
    // CPU: estimate from the smallest run, skip if it would exceed maxRun; the JS loop has no TN form
    if (form === 'TN') continue;
    const C = new Float32Array(M * N);
    const estimate = flops / 0.5e9 * 1000; // ~0.5 GFLOP/s for plain JS
    if (estimate > maxRun && !options.full) {
      result.rows.push({ ...base, impl: 'cpu js', gflops: null, ms: null, reps: 0, timing: 'skipped', note: `estimated ${(estimate / 1000).toFixed(0)} s > max-run` });
      log(`  ${shape.padEnd(24)} cpu js           skipped (estimated ${(estimate / 1000).toFixed(0)} s)`);
      continue;
    }
    let reps = 0;
    const t0 = now();
    do {
      cpuMatmul(A, B, C, M, K, N, form);
      reps++;
    } while (now() - t0 < budget);
    const ms = (now() - t0) / reps;
    result.rows.push({ ...base, impl: 'cpu js', gflops: flops / ms / 1e6, ms, reps, timing: 'cpu' });
    log(`  ${shape.padEnd(24)} cpu js           ${(flops / ms / 1e6).toFixed(3).padStart(8)} GFLOP/s  (${ms.toFixed(2)} ms × ${reps})`);
  }
  if (options.outDir !== null) {
    const dir = options.outDir ?? new URL('./out/', import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'matmul.json'), JSON.stringify(result, null, 2));
    writeFileSync(join(dir, 'matmul.md'), toMarkdown(result));
    log(`wrote ${join(dir, 'matmul.json')} and matmul.md`);
  }
  return result;
}

export function toMarkdown(r: MatmulBenchResult): string {
  const impls = [...new Set(r.rows.map((x) => x.impl))];
  const shapes = [...new Set(r.rows.map((x) => x.shape))];
  const cell = (shape: string, impl: string) => {
    const x = r.rows.find((y) => y.shape === shape && y.impl === impl);
    if (!x) return '–'; // not run on this shape (8-bit operands: the MNIST shapes only)
    if (x.gflops === null) return 'skipped';
    return `${x.gflops.toFixed(3)}${x.note ? '*' : ''}`;
  };
  const lines = [
    `### Matmul GFLOP/s — ${r.adapter}, ${r.cores} cores, ${r.date.slice(0, 10)}`,
    '',
    `| shape (M×K×N) | ${impls.join(' | ')} |`,
    `|---|${impls.map(() => '---:').join('|')}|`,
    ...shapes.map((s) => `| ${s} | ${impls.map((i) => cell(s, i)).join(' | ')} |`),
    '',
    '\\* a single run (too slow to repeat within the time budget).',
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const val = (name: string) => {
    const k = args.indexOf(name);
    return k >= 0 ? args[k + 1] : undefined;
  };
  const sizes = val('--sizes')?.split(',').map(Number);
  await runMatmulBench({
    full: args.includes('--full'),
    budget: val('--budget') ? Number(val('--budget')) : undefined,
    maxRun: val('--max-run') ? Number(val('--max-run')) : undefined,
    sizes,
  });
}
