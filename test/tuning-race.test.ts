/**
 * The tuner's rule for spending time (tuning-race.ts), on scripted candidates instead of a device: which
 * candidates are timed and in what order, a candidate whose first runs exceed CUT × the best is not
 * repeated, a slow first run that the second run contradicts is timed in full, long runs get fewer passes,
 * and the kept kernel is the least time among those timed in full. No timing of real work here.
 */
import { describe, expect, it } from 'vitest';
import { CUT, MIN_PASSES, NAIVE_MAX_MACS, race, raceOrder } from '../src/backends/webgpu/tuning-race.ts';
import type { CandidateRuns } from '../src/backends/webgpu/tuning-race.ts';

/** A candidate whose runs read the scripted times in turn (the last repeats); records every call. */
function scripted(times: Record<string, number[]>) {
  const calls: string[] = [];
  const open = async (k: string): Promise<CandidateRuns> => {
    let i = 0;
    const next = () => times[k]![Math.min(i++, times[k]!.length - 1)]!;
    calls.push(`${k} open`);
    return {
      once: async () => (calls.push(`${k} once`), next()),
      pass: async (reps) => (calls.push(`${k} pass×${reps}`), next()),
      close: () => calls.push(`${k} close`),
    };
  };
  return { open, calls };
}

const OPTS = { budgetMs: 4, maxReps: 8, passes: 3 };

describe('tuning race', () => {
  it('times naive only for tiny products, the guess first and naive last', () => {
    const all = ['naive', 'regblock', 'wide', 'tiled'] as const;
    expect(raceOrder(all, 'wide', NAIVE_MAX_MACS)).toEqual(['wide', 'regblock', 'tiled', 'naive']);
    expect(raceOrder(all, 'wide', NAIVE_MAX_MACS + 1)).toEqual(['wide', 'regblock', 'tiled']);
    expect(raceOrder(all, 'tiled', 64 * 128 * 784)).toEqual(['tiled', 'regblock', 'wide']);
    // a lone candidate is timed whatever its size
    expect(raceOrder(['naive'], 'naive', 1e9)).toEqual(['naive']);
  });

  it('a candidate whose two first runs exceed CUT × the best is not repeated, and is not kept', async () => {
    const { open, calls } = scripted({ fast: [1, 0.9], slow: [CUT * 0.9 + 0.01, CUT * 0.9 + 0.02] });
    const r = await race(['fast', 'slow'], open, OPTS);
    expect(r.best).toBe('fast');
    expect(r.cut).toEqual(['slow']);
    expect(r.ms.slow).toBeCloseTo(CUT * 0.9 + 0.01, 6);
    // two single runs, no pass of repetitions
    expect(calls.filter((c) => c.startsWith('slow'))).toEqual(['slow open', 'slow once', 'slow once', 'slow close']);
  });

  it('a slow first run (preempted) that the second run contradicts is timed in full, and can win', async () => {
    const { open, calls } = scripted({ a: [1], b: [40, 0.5] });
    const r = await race(['a', 'b'], open, OPTS);
    expect(r.cut).toEqual([]);
    expect(r.best).toBe('b');
    expect(r.ms.b).toBe(0.5);
    expect(calls.filter((c) => c.startsWith('b') && c.includes('pass')).length).toBeGreaterThan(0);
  });

  it('exactly CUT × the best is still timed in full (the cut is for strictly slower)', async () => {
    const { open } = scripted({ a: [2], b: [2 * CUT] });
    expect((await race(['a', 'b'], open, OPTS)).cut).toEqual([]);
  });

  it('the first candidate is never cut, however slow', async () => {
    const { open, calls } = scripted({ only: [500] });
    const r = await race(['only'], open, OPTS);
    expect(r).toEqual({ best: 'only', ms: { only: 500 }, cut: [] });
    expect(calls).toEqual(['only open', 'only once', 'only pass×1', 'only pass×1', 'only close']);
  });

  it('short runs get passes of repeated runs filling the budget; a long run gets MIN_PASSES passes', async () => {
    const short = scripted({ k: [0.5] });
    await race(['k'], short.open, OPTS);
    expect(short.calls).toEqual(['k open', 'k once', 'k pass×8', 'k pass×8', 'k pass×8', 'k close']);
    const mid = scripted({ k: [5] });
    await race(['k'], mid.open, OPTS);
    expect(mid.calls).toEqual(['k open', 'k once', 'k pass×1', 'k pass×1', 'k close']);
    const long = scripted({ k: [50] });
    await race(['k'], long.open, OPTS);
    expect(MIN_PASSES).toBe(2);
    expect(long.calls).toEqual(['k open', 'k once', 'k pass×1', 'k pass×1', 'k close']);
  });

  it('keeps the least of the runs, and closes a candidate that throws', async () => {
    const { open } = scripted({ a: [3, 2, 4, 1] });
    expect((await race(['a'], open, OPTS)).ms.a).toBe(1);
    const closed: string[] = [];
    const failing = async (): Promise<CandidateRuns> => ({
      once: async () => {
        throw new Error('device lost');
      },
      pass: async () => 0,
      close: () => closed.push('x'),
    });
    await expect(race(['x'], failing, OPTS)).rejects.toThrow('device lost');
    expect(closed).toEqual(['x']);
    await expect(race([], failing, OPTS)).rejects.toThrow(/no candidate/);
  });
});
