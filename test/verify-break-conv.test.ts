/**
 * A deliberately broken conv kernel must make verify fail. The embedded WGSL of conv2d_forward (the reference
 * forward kernel) gets its accumulation's sign flipped (sum -= … instead of +=), as a driver miscompiling one
 * kernel would: verify's conv2d group for that kernel must fail with a gpu/cpu mismatch, while the group
 * forced to the tiled kernel (same input-gradient and update kernels, another forward) still passes.
 */
import { describe, expect, it, vi } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';

vi.mock('../src/generated/wgsl.ts', async (importOriginal) => {
  const { WGSL } = await importOriginal<typeof import('../src/generated/wgsl.ts')>();
  const good = WGSL.conv2d_forward;
  const broken = good.replace('sum += X[', 'sum -= X[');
  if (broken === good) throw new Error('the break did not apply: conv2d_forward.wgsl changed, update this test');
  return { WGSL: { ...WGSL, conv2d_forward: broken } };
});

const { verifyBackend } = await import('../src/verify/index.ts');
const ok = await haveGpu();

describe.skipIf(!ok)('verify catches a broken conv kernel', () => {
  it('conv2d_forward with a wrong sign fails its group; the tiled forward still passes', async () => {
    const report = await verifyBackend({ context: (await sharedGpu())!, parts: ['layers'], filter: /^conv2d/, quick: true });
    expect(report.passed).toBe(false);
    const direct = report.groups.find((g) => g.group.startsWith('conv2d direct'))!;
    const tiled = report.groups.find((g) => g.group.startsWith('conv2d tiled'))!;
    expect(direct.pass).toBe(false);
    expect(direct.detail).toMatch(/layer 0 \(conv2d\) v.*gpu .*cpu/);
    expect(direct.maxError).toBeGreaterThan(direct.tolerance);
    expect(tiled.pass).toBe(true);
  }, 300_000);
});
