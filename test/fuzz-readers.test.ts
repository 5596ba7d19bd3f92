// Issue 10: a bounded fuzz run over the IDX, PNG, safetensors and saved-model readers. Fixed seed, 60
// mutated files per reader (byte flips, truncation, size fields set huge, metadata spoiled) plus the issue's
// hostile files, run in a child process that reads its own peak RSS (VmHWM) around every case.
// Each case must end in a valid result or the reader's own error type, and grow the peak RSS by less than
// 2× the input file's size plus a fixed allowance for the runtime (V8 heap and JIT noise).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Case { reader: string; mutation: string; size: number; outcome: string; peakGrowth: number; ms: number }
interface Run { seed: number; canReset: boolean; hasGc: boolean; control: { inflated: number; peakGrowth: number }; results: Case[] }

/** The runtime's allowance on top of 2× the file: measured growth is under 0.3 MiB for every case here. */
const RUNTIME_ALLOWANCE = 8 * 2 ** 20;
const PER_FORMAT = 60;

function fuzz(seed: number): Run {
  // the time limit is a hang detector (a reader that loops forever), not a speed test: a run takes seconds
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', 'bin/run-ts.js', 'test/helpers/fuzz-child.ts', String(seed), String(PER_FORMAT)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) {
    const lastCase = r.stderr.trim().split('\n').filter((l) => l.startsWith('case ')).pop();
    throw new Error(`fuzz child failed (status ${r.status}, signal ${r.signal}) during ${lastCase ?? 'setup'}:\n${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(r.stdout) as Run;
}

describe.skipIf(process.platform !== 'linux')('fuzzing the file readers', () => {
  let run: Run;
  beforeAll(() => {
    run = fuzz(20261123);
  }, 300_000);

  it('runs a few hundred cases, and its memory meter sees an unbounded inflate', () => {
    expect(run.results.length).toBeGreaterThanOrEqual(5 * PER_FORMAT);
    expect(run.canReset).toBe(true);
    expect(run.hasGc).toBe(true);
    // the control inflates the gzip bomb with no cap: if the meter could not see that, it would prove nothing
    expect(run.control.inflated).toBeGreaterThan(128 * 2 ** 20);
    expect(run.control.peakGrowth).toBeGreaterThan(128 * 2 ** 20);
  });

  it('every case ends in a valid result or the reader\'s own error type', () => {
    const foreign = run.results.filter((c) => c.outcome !== 'ok' && !c.outcome.endsWith('FormatError'));
    expect(foreign.map((c) => `${c.reader} ${c.mutation}: ${c.outcome}`)).toEqual([]);
    const own: Record<string, string[]> = { idx: ['IdxFormatError'], 'idx.gz': ['IdxFormatError'], png: ['PngFormatError'], safetensors: ['SafetensorsFormatError'], model: ['ModelFormatError', 'SafetensorsFormatError'] };
    for (const c of run.results) if (c.outcome !== 'ok') expect(own[c.reader], `${c.reader} ${c.mutation}`).toContain(c.outcome);
    // the mutations reach past the first check: the model reader sees both its own and the container's errors
    const outcomes = (reader: string) => new Set(run.results.filter((c) => c.reader === reader).map((c) => c.outcome));
    expect(outcomes('model')).toEqual(new Set(['ok', 'ModelFormatError', 'SafetensorsFormatError']));
    expect(outcomes('idx')).toContain('ok');
  });

  it('the issue\'s hostile files are refused by the reader, not by running out of memory', () => {
    const hostile = run.results.filter((c) => c.mutation.startsWith('hostile'));
    expect(hostile.map((c) => [c.mutation, c.outcome])).toEqual([
      ['hostile: gzip bomb, 1 image declared, 128 MiB inflated', 'IdxFormatError'],
      ['hostile: IDAT bomb, 28×28 declared, 64 MiB inflated', 'PngFormatError'],
      ['hostile: 8192×8192 RGBA', 'PngFormatError'],
      ['hostile: 784 → 2,000,000 units in a 300-byte file', 'ModelFormatError'],
    ]);
  });

  it('no case grows the peak RSS by more than 2× its input plus the runtime allowance', () => {
    const over = run.results.filter((c) => c.peakGrowth > 2 * c.size + RUNTIME_ALLOWANCE);
    expect(over.map((c) => `${c.reader} ${c.mutation} (${c.size} bytes): peak +${c.peakGrowth} bytes`)).toEqual([]);
    const worst = run.results.reduce((a, c) => (c.peakGrowth > a.peakGrowth ? c : a));
    console.info(`fuzz: ${run.results.length} cases; largest peak RSS growth ${(worst.peakGrowth / 2 ** 20).toFixed(2)} MiB (${worst.reader} ${worst.mutation}, ${worst.size}-byte file); unbounded control +${(run.control.peakGrowth / 2 ** 20).toFixed(0)} MiB`);
  });
});
