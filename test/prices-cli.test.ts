/**
 * `deltagpu prices` on the command line: the lecture's first delta-rule step, worked by hand — guess
 * (0.5, 0.5, 0.5), portions (5, 2, 3), bill 8.50: y = 2.5 + 1 + 1.5 = 5, residual 3.5; Δw = (1/35)·3.5·x =
 * 0.1·(5, 2, 3), so (1.0, 0.7, 0.8), whose bill is 5 + 1.4 + 2.4 = 8.8, residual −0.3 — then many bills
 * bringing the estimates to the true prices (0.5, 1.5, 1.0); the JSON form, --help, and a bad option.
 */
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';

async function cli(args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
  try {
    const code = await main(args, (s) => lines.push(s));
    return { code, lines, errors };
  } finally {
    spy.mockRestore();
  }
}

describe('deltagpu prices', () => {
  it('prints the first step as worked by hand, and trained prices near the true ones', async () => {
    const { code, lines } = await cli(['prices', '--backend', 'cpu']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('guess (0.5000, 0.5000, 0.5000); portions (5, 2, 3), bill 8.50: residual 3.5000');
    expect(lines[1]).toBe('one delta-rule step (η = 1/35): prices (1.0000, 0.7000, 0.8000), residual -0.3000');
    const m = lines[2].match(/^60 bills × 200 epochs \(η = 0\.005\): prices \(([\d.]+), ([\d.]+), ([\d.]+)\), true \(0\.5000, 1\.5000, 1\.0000\); final mean loss (\S+)$/);
    expect(m, lines[2]).not.toBeNull();
    [0.5, 1.5, 1.0].forEach((p, i) => expect(Math.abs(Number(m![i + 1]) - p)).toBeLessThan(0.01));
    expect(Number(m![4])).toBeLessThan(1e-3);
  });

  it('--format json carries the same numbers; --bills and --epochs change the run', async () => {
    const { code, lines } = await cli(['prices', '--backend', 'cpu', '--format', 'json', '--bills', '30', '--epochs', '50']);
    expect(code).toBe(0);
    const r = JSON.parse(lines.at(-1)!);
    expect(r.truePrices).toEqual([0.5, 1.5, 1.0]);
    expect(r.firstStep.before).toEqual([0.5, 0.5, 0.5]);
    expect(r.firstStep.residualBefore).toBeCloseTo(3.5, 6);
    [1.0, 0.7, 0.8].forEach((w, i) => expect(r.firstStep.after[i]).toBeCloseTo(w, 6));
    expect(r.firstStep.residualAfter).toBeCloseTo(-0.3, 5);
    expect(r.trained).toMatchObject({ bills: 30, epochs: 50, learningRate: 0.005 });
    expect(r.trained.loss).toHaveLength(50);
    expect(r.trained.loss.at(-1)).toBeLessThan(r.trained.loss[0]);
  });

  it('--help prints the options; a bad --lr fails by name with exit code 1', async () => {
    const help = await cli(['prices', '--help']);
    expect(help.code).toBe(0);
    expect(help.lines.join('\n')).toMatch(/^deltagpu prices \[options\][\s\S]*--epochs N[\s\S]*--backend B/);
    const bad = await cli(['prices', '--lr', '-1', '--backend', 'cpu']);
    expect(bad.code).toBe(1);
    expect(bad.errors.join('\n')).toMatch(/deltagpu prices: .*lr/);
    const fmt = await cli(['prices', '--format', 'xml', '--backend', 'cpu']);
    expect(fmt.code).toBe(1);
    expect(fmt.errors.join('\n')).toMatch(/format/);
  });
});
