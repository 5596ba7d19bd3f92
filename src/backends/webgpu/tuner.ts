/**
 * The matmul autotuner: for each product a network's step needs (per layer: forward NT, backprop NN,
 * weight gradient TN, at the batch's row count), time every candidate kernel on the live device and keep
 * the fastest. Answers are cached per adapter and shape (tuning-cache.ts), so a second compile of the same
 * network, in this process or a later one, times nothing.
 *
 * Candidates are the kernels this adapter supports; on a software adapter only the barrier-free ones
 * (USES_WORKGROUP_MEMORY in kernels.ts: the others take seconds each to compile there and run slower). Timing uses the plain epilogue: the fused epilogues add the same per-element work to every
 * kernel, so they do not change the ranking. Which candidates are timed, in what order, how often, and
 * when one is given up: tuning-race.ts.
 */
import { isDense } from '../../backend.ts';
import type { Conv2dSpec, NetworkSpec } from '../../backend.ts';
import type { ConvKernel } from './conv2d.ts';
import type { AdapterReport } from './device.ts';
import { MATMUL_KERNELS, USES_WORKGROUP_MEMORY, matmulAvailable } from './kernels.ts';
import type { Kernels, MatmulForm, MatmulKernel } from './kernels.ts';
import { GpuMatmul } from './matmul.ts';
import { GpuMemory } from './memory.ts';
import { timePass } from './timing.ts';
import { race, raceOrder } from './tuning-race.ts';
import type { CandidateRuns } from './tuning-race.ts';
import { tuningCache } from './tuning-cache.ts';
import type { TunedEntry } from './tuning-cache.ts';

/**
 * The kernel each product of a step uses; backprop[0] is unused (no δ below the first layer). The matmul
 * entries of a layer that is not dense are unused; `conv` is each conv2d layer's forward kernel (unused
 * for the other kinds).
 */
export interface KernelChoice {
  forward: MatmulKernel[];
  backprop: MatmulKernel[];
  update: MatmulKernel[];
  conv: ConvKernel[];
}

export interface MatmulNeed {
  form: MatmulForm;
  M: number;
  N: number;
  R: number;
}

/** timed passes per candidate after its first run, when that run is short (tuning-race.ts) */
const PASSES = 3;

export const shapeKey = (n: MatmulNeed) => `${n.form} ${n.M}×${n.N}×${n.R}`;

/**
 * The products of one step of `spec` on `rows` rows, per layer and form (null where there is none: below
 * the first layer, and in layers that are not dense, whose kernels are not matmuls).
 */
export function stepMatmuls(spec: NetworkSpec, rows: number): { forward: (MatmulNeed | null)[]; backprop: (MatmulNeed | null)[]; update: (MatmulNeed | null)[] } {
  const L = spec.layers;
  return {
    forward: L.map((l) => (isDense(l) ? { form: 'NT', M: rows, N: l.units, R: l.inputs } : null)),
    backprop: L.map((l, k) => (k === 0 || !isDense(l) ? null : { form: 'NN', M: rows, N: l.inputs, R: l.units })),
    update: L.map((l) => (isDense(l) ? { form: 'TN', M: l.units, N: l.inputs, R: rows } : null)),
  };
}

/** The same kernel everywhere (a forced `matmul:` option), and one conv forward kernel. */
export function uniformChoice(spec: NetworkSpec, kernel: MatmulKernel, conv: ConvKernel = 'direct'): KernelChoice {
  const all = spec.layers.map(() => kernel);
  return { forward: all, backprop: [...all], update: [...all], conv: spec.layers.map(() => conv) };
}

/** One adapter's identity in cache keys: vendor, architecture, device, description (which names the driver). */
export function adapterKey(a: AdapterReport): string {
  return [a.vendor, a.architecture, a.device, a.description].join('/');
}

export interface TunerOptions {
  /** ms of GPU time to aim for per candidate measurement (default 4) */
  budgetMs?: number;
  /** at most this many repetitions per candidate (default 8) */
  maxReps?: number;
}

export class MatmulTuner {
  /** shape → ms spent tuning it in this process (for the startup benchmark) */
  readonly spent = new Map<string, number>();
  /** shape → of that, ms spent compiling the candidates' timing pipelines (the first shape of each form) */
  readonly compiling = new Map<string, number>();
  private readonly pending = new Map<string, Promise<TunedEntry>>();
  readonly candidates: MatmulKernel[];

  constructor(
    private readonly device: GPUDevice,
    private readonly kernels: Kernels,
    private readonly adapter: AdapterReport,
    private readonly features: readonly string[],
    /** timed first (the kernel a step would use untuned) */
    private readonly guess: MatmulKernel,
    private readonly options: TunerOptions = {},
  ) {
    this.candidates = MATMUL_KERNELS.filter((k) => matmulAvailable(k, features) && !(adapter.isFallback && USES_WORKGROUP_MEMORY[k]));
  }

  private key(n: MatmulNeed): string {
    return `${adapterKey(this.adapter)}|${shapeKey(n)}|${this.candidates.join(',')}`;
  }

  /** The tuned entry for one product: from the cache, or measured now (and cached). */
  choose(need: MatmulNeed): Promise<TunedEntry> {
    const key = this.key(need);
    let p = this.pending.get(key);
    if (!p) {
      p = (async () => {
        const hit = await tuningCache.get(key);
        // any kernel this adapter runs is verified, so a cached (or hand-written) choice outside the
        // candidates timed here is honoured too
        if (hit && MATMUL_KERNELS.includes(hit.kernel) && matmulAvailable(hit.kernel, this.features)) return hit;
        const entry = await this.measure(need);
        await tuningCache.set([[key, entry]]);
        return entry;
      })();
      this.pending.set(key, p);
      // a failed measurement is not cached: the next call tries again
      p.catch(() => this.pending.delete(key));
    }
    return p;
  }

  /**
   * A choice for every product of a training (or inference: forward only) step on `rows` rows; each conv2d
   * layer's forward kernel from `conv` (conv-tuner.ts), or the reference kernel without one.
   */
  async chooseStep(
    spec: NetworkSpec,
    rows: number,
    training: boolean,
    fallback: MatmulKernel,
    conv?: (layer: Conv2dSpec, rows: number) => Promise<ConvKernel>,
  ): Promise<KernelChoice> {
    const needs = stepMatmuls(spec, rows);
    const pick = async (n: MatmulNeed | null) => (n ? (await this.choose(n)).kernel : fallback);
    // sequential: timings of concurrent candidates would disturb each other
    const forward: MatmulKernel[] = [];
    const backprop: MatmulKernel[] = [];
    const update: MatmulKernel[] = [];
    for (const n of needs.forward) forward.push(await pick(n));
    for (const n of needs.backprop) backprop.push(training ? await pick(n) : fallback);
    for (const n of needs.update) update.push(training ? await pick(n) : fallback);
    const convs: ConvKernel[] = [];
    for (const l of spec.layers) convs.push(l.kind === 'conv2d' && conv ? await conv(l, rows) : 'direct');
    return { forward, backprop, update, conv: convs };
  }

  /** Every entry cached for this adapter and candidate set (this process's and earlier ones'). */
  async entries(): Promise<TunedEntry[]> {
    const prefix = `${adapterKey(this.adapter)}|`;
    const suffix = `|${this.candidates.join(',')}`;
    return tuningCache.list((k) => k.startsWith(prefix) && k.endsWith(suffix));
  }

  private async measure(need: MatmulNeed): Promise<TunedEntry> {
    const t0 = performance.now();
    const { M, N, R } = need;
    const mem = new GpuMemory(this.device);
    let timing: 'timestamp' | 'wall' = 'wall';
    try {
      // operands of the right size; their values do not change the time
      const a = new Float32Array(M * R);
      const b = new Float32Array(N * R);
      const order = raceOrder(this.candidates, this.guess, M * N * R);
      // compile every candidate's pipeline at once (the driver may compile in parallel)
      await Promise.all(order.map((k) => this.kernels.matmul(k, need.form, 'plain')));
      this.compiling.set(shapeKey(need), performance.now() - t0);
      const open = async (kernel: MatmulKernel): Promise<CandidateRuns> => {
        const mm = await GpuMatmul.create(mem, this.kernels, kernel, need.form, need, a, b);
        const pass = async (reps: number) => {
          const t = await timePass(this.device, reps, (p, n) => mm.encode(p, n));
          timing = t.timing;
          return t.ms;
        };
        return { once: () => pass(1), pass, close: () => mem.destroyAll() };
      };
      const { best, ms } = await race(order, open, { budgetMs: this.options.budgetMs ?? 4, maxReps: this.options.maxReps ?? 8, passes: PASSES });
      this.spent.set(shapeKey(need), performance.now() - t0);
      return { shape: shapeKey(need), kernel: best, ms, timing };
    } finally {
      mem.destroyAll();
    }
  }
}
