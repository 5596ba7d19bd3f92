/**
 * `deltagpu verify`'s image-layer part on this adapter (SwiftShader in CI): every group passes (each conv2d
 * forward kernel with the input gradient and updates, max and average pooling, dropout, flatten), the report
 * lists them all, and each tried shapes and measured an error below its tolerance. That a broken conv kernel
 * fails it: verify-break-conv.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { formatVerifyReport, verifyBackend } from '../src/verify/index.ts';
import { layerGroups } from '../src/verify/layers.ts';
import { CONV_KERNELS } from '../src/backends/webgpu/conv2d.ts';

const ok = await haveGpu();

describe('verify image-layer plan', () => {
  it('has a group per conv kernel and one each for max/avg pooling, dropout and flatten', () => {
    const names = layerGroups().map((g) => g.name);
    for (const k of CONV_KERNELS) expect(names.some((n) => n.startsWith(`conv2d ${k} `)), k).toBe(true);
    for (const kind of ['maxPool2d', 'avgPool2d', 'dropout', 'flatten']) expect(names.some((n) => n.startsWith(kind)), kind).toBe(true);
  });
});

describe.skipIf(!ok)('verifyBackend image layers on this adapter', () => {
  it('passes every group', async () => {
    const report = await verifyBackend({ context: (await sharedGpu())!, parts: ['layers'] });
    const lines = formatVerifyReport(report);
    console.log(lines.join('\n'));
    expect(report.groups.filter((g) => !g.pass).map((g) => `${g.group}: ${g.detail}`)).toEqual([]);
    expect(report.groups.map((g) => g.group)).toEqual(layerGroups().map((g) => g.name));
    for (const g of report.groups) {
      expect(g.shapes.length).toBeGreaterThan(0);
      expect(g.maxError).toBeLessThanOrEqual(g.tolerance);
    }
    expect(lines.at(-1)).toContain(`all ${report.groups.length} kernel groups pass`);
  }, 600_000);
});
