/**
 * A deliberately broken kernel must make verify fail. This file replaces the embedded WGSL of
 * matmul_regblock with a variant whose accumulation has the wrong sign (acc -= … instead of +=), as a
 * driver miscompiling one kernel would, and checks that verify reports exactly that kernel's groups as
 * failing (plain products and the fused training step) while an untouched kernel still passes, and that
 * `deltagpu verify` exits non-zero.
 */
import { describe, expect, it, vi } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';

vi.mock('../src/generated/wgsl.ts', async (importOriginal) => {
  const { WGSL } = await importOriginal<typeof import('../src/generated/wgsl.ts')>();
  const good = WGSL.matmul_regblock;
  const broken = good.replace('acc0 += b * a_block_t', 'acc0 -= b * a_block_t');
  if (broken === good) throw new Error('the break did not apply: matmul_regblock.wgsl changed, update this test');
  return { WGSL: { ...WGSL, matmul_regblock: broken } };
});

const { verifyBackend } = await import('../src/verify/index.ts');
const { main } = await import('../src/cli/main.ts');
const ok = await haveGpu();

describe.skipIf(!ok)('verify catches a broken kernel', () => {
  it('regblock with a wrong sign fails in every form and in the fused step; naive still passes', async () => {
    const report = await verifyBackend({ context: (await sharedGpu())!, kernels: ['regblock', 'naive'], filter: /regblock|naive \w\w \(plain/ });
    expect(report.passed).toBe(false);
    const byName = new Map(report.groups.map((g) => [g.group, g]));
    for (const form of ['NT', 'NN', 'TN']) {
      expect(byName.get(`matmul regblock ${form} (plain)`)?.pass, form).toBe(false);
      expect(byName.get(`matmul naive ${form} (plain)`)?.pass, form).toBe(true);
    }
    // the same core reading 8-bit operands fails too (and naive has no 8-bit form)
    expect(byName.get('matmul regblock NT (plain, 8-bit A)')?.pass).toBe(false);
    expect(byName.get('matmul regblock TN (plain, 8-bit B)')?.pass).toBe(false);
    const fused = byName.get('matmul regblock fused epilogues (forward, backprop, update)')!;
    expect(fused.pass).toBe(false);
    expect(fused.detail).toMatch(/gpu .*cpu/);
    expect(fused.maxError).toBeGreaterThan(fused.tolerance);
  });

  it('deltagpu verify exits 1 and names the failing group', async () => {
    const lines: string[] = [];
    const code = await main(['verify', '--matmul-only', '--kernel', 'regblock'], (s) => lines.push(s));
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL {2}matmul regblock NT \(plain\)/);
    // NT, NN, TN on float32 operands, NT and TN on 8-bit ones
    expect(lines.at(-1)).toMatch(/5 of 5 kernel groups FAIL/);
  });
});
