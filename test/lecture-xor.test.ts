// The lecture's XOR worked example: 2-2-1 sigmoid, no bias, online SGD, α = 0.25, E = ½·Σ(d−y)².
import { describe, expect, it } from 'vitest';
import { traceXor } from '../src/examples/xor.ts';
import type { XorTraceRow } from '../src/examples/xor.ts';
import { main } from '../src/cli/main.ts';

/**
 * The first epoch as the lecture tabulates it, to its printed precision (4 decimals), in its sign
 * (Δo = o(1−o)(T−o), w ← w + α·x·Δ). Weights are after that pattern's update; weightsHidden[j][i] is i → j.
 *
 * One correction: the lecture prints o1 = 0.552 for pattern 1, but the output's net input there is
 * 0.2·0.5 + 0.4·0.5 = 0.3 and sigmoid(0.3) = 0.5744. The values below carry the corrected o1 (and the
 * Δo, Δh and weights that follow from it) through the rest of the epoch.
 */
const LECTURE_EPOCH_1 = [
  { hidden: [0.5, 0.5], output: 0.5744, dOut: -0.1404, dHid: [-0.007, -0.014], wh: [0.1, -0.7, 0.5, 0.3], wo: [0.1824, 0.3824] },
  { hidden: [0.3318, 0.5744], output: 0.5696, dOut: 0.1055, dHid: [0.0043, 0.0099], wh: [0.1, -0.6989, 0.5, 0.3025], wo: [0.1912, 0.3976] },
  { hidden: [0.525, 0.6225], output: 0.5861, dOut: 0.1004, dHid: [0.0048, 0.0094], wh: [0.1012, -0.6989, 0.5023, 0.3025], wo: [0.2044, 0.4132] },
  { hidden: [0.3549, 0.691], output: 0.5886, dOut: -0.1425, dHid: [-0.0067, -0.0126], wh: [0.0995, -0.7006, 0.4992, 0.2993], wo: [0.1917, 0.3886] },
];
/** the lecture prints 4 decimals, so a value it shows is within 0.00005 of ours; ±0.002 is the bound */
const TOL = 0.002;

const close = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${g} vs ${want[i]}`).toBeLessThanOrEqual(TOL));
};

describe('XOR worked example (lecture)', () => {
  it('reproduces every value of the first epoch, pattern by pattern', async () => {
    const rows: XorTraceRow[] = [];
    await traceXor('cpu', 1, (r) => rows.push(r));
    expect(rows).toHaveLength(4);
    rows.forEach((r, k) => {
      const want = LECTURE_EPOCH_1[k];
      expect(r.pattern).toBe(k + 1);
      close(r.hidden, want.hidden);
      close(r.output, [want.output]);
      close(r.deltaOutput, [want.dOut]);
      close(r.deltaHidden, want.dHid);
      close(r.weightsHidden.flat(), want.wh);
      close(r.weightsOutput.flat(), want.wo);
    });
  });

  it('pattern 1: the output is sigmoid(0.3) = 0.5744, not the lecture misprint 0.552', async () => {
    const rows: XorTraceRow[] = [];
    await traceXor('cpu', 1, (r) => rows.push(r));
    expect(rows[0].output[0]).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 6);
    expect(Math.abs(rows[0].output[0] - 0.552)).toBeGreaterThan(0.02);
  });

  it('hidden deltas use the weights from before the pattern’s update', async () => {
    const rows: XorTraceRow[] = [];
    await traceXor('cpu', 1, (r) => rows.push(r));
    // Δh_j = h_j(1−h_j)·w_oj·Δo with w_o as it was when the pattern arrived (the previous row's weights)
    const before = [[0.2, 0.4], ...rows.slice(0, 3).map((r) => r.weightsOutput[0])];
    rows.forEach((r, k) => {
      r.hidden.forEach((h, j) => expect(r.deltaHidden[j]).toBeCloseTo(h * (1 - h) * before[k][j] * r.deltaOutput[0], 6));
    });
  });

  it('`deltagpu xor --trace --format json` prints one object per pattern with the documented fields', async () => {
    const lines: string[] = [];
    const code = await main(['xor', '--trace', '--format', 'json', '--epochs', '2', '--backend', 'cpu'], (s) => lines.push(s));
    expect(code).toBe(0);
    const rows = JSON.parse(lines.join('\n'));
    expect(rows).toHaveLength(8);
    expect(Object.keys(rows[0]).sort()).toEqual(
      ['epoch', 'pattern', 'input', 'target', 'hidden', 'output', 'deltaOutput', 'deltaHidden', 'weightsHidden', 'weightsOutput'].sort(),
    );
    expect(rows[4]).toMatchObject({ epoch: 2, pattern: 1, input: [0, 0], target: [0] });
    close(rows[3].weightsHidden.flat(), LECTURE_EPOCH_1[3].wh);
  });

  it("`deltagpu xor --bias --trace` traces XOR with bias: each row is the previous row's weights and biases after one online step at α = 0.5", async () => {
    const lines: string[] = [];
    expect(await main(['xor', '--bias', '--trace', '--format', 'json', '--backend', 'cpu'], (s) => lines.push(s))).toBe(0);
    const rows = JSON.parse(lines.join('\n'));
    expect(rows).toHaveLength(4); // one epoch by default with --trace, not --bias's 10000
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const near = (got: number[], want: number[], tol: number) => {
      expect(got).toHaveLength(want.length);
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `${g} vs ${want[i]}`).toBeLessThanOrEqual(tol));
    };
    for (let k = 1; k < 4; k++) {
      const [prev, r] = [rows[k - 1], rows[k]];
      // forward with the previous row's parameters, biases included
      const h = prev.weightsHidden.map((w: number[], j: number) => sig(w[0] * r.input[0] + w[1] * r.input[1] + prev.biasHidden[j]));
      near(r.hidden, h, 1e-6);
      near(r.output, [sig(prev.weightsOutput[0][0] * h[0] + prev.weightsOutput[0][1] * h[1] + prev.biasOutput[0])], 1e-6);
      // the updates: Δb = α·δ (a weight on an input fixed at 1), Δw = α·δ·input, α = 0.5
      near(r.biasOutput, [prev.biasOutput[0] + 0.5 * r.deltaOutput[0]], 1e-6);
      near(r.biasHidden, prev.biasHidden.map((b: number, j: number) => b + 0.5 * r.deltaHidden[j]), 1e-6);
      near(r.weightsOutput[0], prev.weightsOutput[0].map((w: number, j: number) => w + 0.5 * r.deltaOutput[0] * h[j]), 1e-6);
    }
    const table: string[] = [];
    await main(['xor', '--bias', '--trace', '--backend', 'cpu'], (s) => table.push(s));
    expect(table[0]).toMatch(/wo2 +bh1 +bh2 +bo$/);
    expect(table).toHaveLength(5);
  });

  it('`deltagpu xor --bias --epochs 10000` trains every output to within 0.1 of its target', async () => {
    const lines: string[] = [];
    const code = await main(['xor', '--bias', '--epochs', '10000', '--format', 'json', '--backend', 'cpu'], (s) => lines.push(s));
    expect(code).toBe(0);
    const r = JSON.parse(lines[0]);
    expect(r.withinTolerance).toBe(true);
    for (const o of r.outputs) expect(Math.abs(o.output - o.target)).toBeLessThan(0.1);
  });
});
