/**
 * How the tuner spends its time on one product: which candidates it times, in what order, how many
 * runs each gets, and when it stops timing one. Kept apart from the GPU (a candidate is anything that can
 * run the product once or in a pass of repetitions) so the rule can be tested without a device.
 *
 * - The readable reference kernel (naive) is timed only for tiny products: above NAIVE_MAX_MACS it never
 *   won on any shape measured (SwiftShader, 1 to 4096 rows, 16 to 4096 units: 2.4× to 10× slower from
 *   8×10×128 up), while below it (1×10×128) it did win, by a few microseconds.
 * - The untuned guess runs first, then the others in the kernel list's order, the reference last: the
 *   kernels expected to be fast set the bar early.
 * - A candidate whose first run takes more than CUT times the best least-time so far is not repeated.
 *   A preempted run only ever reads slower, so one slow run is confirmed by a second before the cut;
 *   the cut candidate's time (the faster of its runs) is still recorded, for `deltagpu info`.
 * - Repetitions aim at `budgetMs` of device time per pass and `passes` passes, but a product whose single
 *   run already exceeds the pass budget gets fewer passes (at least MIN_PASSES): timing each candidate's
 *   long runs four times (and a probe before them) was most of the tuning. Single runs of one product on a
 *   loaded machine vary 2× (SwiftShader, NT 256×128×784: 28 to 64 ms, load 2.3), so the least of three
 *   (the first run and two passes), not of two, stands for a candidate.
 */
import type { MatmulKernel } from './kernels.ts';

/** products of at most this many multiply-adds (M·N·R) also time the naive reference kernel */
export const NAIVE_MAX_MACS = 8192;
/** a candidate whose first two runs each exceed this many times the best so far is not timed further */
export const CUT = 3;
/** passes after the first run, however long the runs */
export const MIN_PASSES = 2;

/** One candidate kernel, ready to run the product being tuned. */
export interface CandidateRuns {
  /** device ms of one run */
  once(): Promise<number>;
  /** device ms per repetition of one pass of `reps` repetitions */
  pass(reps: number): Promise<number>;
  /** frees what the candidate allocated */
  close(): void;
}

export interface RaceOptions {
  /** ms of device time to aim for per pass */
  budgetMs: number;
  /** at most this many repetitions per pass */
  maxReps: number;
  /** passes after the first run, when a run is short */
  passes: number;
}

export interface RaceResult<K extends string> {
  /** the candidate with the least time among those timed in full */
  best: K;
  /** least ms per product of every candidate run (for a cut one, the faster of its two runs) */
  ms: Partial<Record<K, number>>;
  /** candidates not timed further after their first runs */
  cut: K[];
}

/** The candidates timed for a product of `macs` multiply-adds, in the order they are timed. */
export function raceOrder(candidates: readonly MatmulKernel[], guess: MatmulKernel, macs: number): MatmulKernel[] {
  const rank = (k: MatmulKernel) => (k === guess ? 0 : k === 'naive' ? 2 : 1);
  // Array.prototype.sort is stable: equal ranks keep the kernel list's order
  return candidates.filter((k) => k !== 'naive' || macs <= NAIVE_MAX_MACS || candidates.length === 1).sort((x, y) => rank(x) - rank(y));
}

/** Times each candidate of `order` (opened one at a time, closed before the next) by the rule above. */
export async function race<K extends string>(order: readonly K[], open: (kernel: K) => Promise<CandidateRuns>, o: RaceOptions): Promise<RaceResult<K>> {
  if (order.length === 0) throw new RangeError('tuner: no candidate kernel to time');
  const ms: Partial<Record<K, number>> = {};
  const cut: K[] = [];
  let best: K | null = null;
  let bestMs = Infinity;
  for (const kernel of order) {
    const runs = await open(kernel);
    try {
      let least = await runs.once();
      if (least > CUT * bestMs) least = Math.min(least, await runs.once());
      if (least > CUT * bestMs) {
        ms[kernel] = least;
        cut.push(kernel);
        continue;
      }
      const reps = Math.max(1, Math.min(o.maxReps, Math.round(o.budgetMs / Math.max(least, 1e-3))));
      const passes = Math.max(Math.min(MIN_PASSES, o.passes), Math.min(o.passes, Math.round((o.passes * o.budgetMs) / (reps * least))));
      // the least of separate passes: a pass the OS preempted (or another process's work delayed) only
      // ever reads slower, never faster
      for (let k = 0; k < passes; k++) least = Math.min(least, await runs.pass(reps));
      ms[kernel] = least;
      if (least < bestMs) {
        best = kernel;
        bestMs = least;
      }
    } finally {
      runs.close();
    }
  }
  return { best: best!, ms, cut };
}
