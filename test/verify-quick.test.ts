/**
 * verifyBackend({ quick: true }), the browser demo's default: fewer and smaller shapes, but still every kernel
 * group. The plan is checked without a GPU (each group's quick shapes are a non-empty subset of its full
 * shapes that its network accepts); on this adapter, a quick run with the barrier-free naive kernel lists
 * exactly the groups a full run would and runs each on its quick shapes.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { verifyBackend } from '../src/verify/index.ts';
import { MATMUL_SHAPES, QUICK_MATMUL_SHAPES } from '../src/verify/matmul.ts';
import { stepGroups } from '../src/verify/steps.ts';
import { layerGroups } from '../src/verify/layers.ts';
import { MATMUL_KERNELS } from '../src/backends/webgpu/kernels.ts';

const label = (s: readonly number[]) => s.join('×');

describe('verify quick plan', () => {
  it('keeps tile-crossing products and the long sum, from the full list', () => {
    for (const s of QUICK_MATMUL_SHAPES) expect(MATMUL_SHAPES.map(label)).toContain(label(s));
    expect(QUICK_MATMUL_SHAPES.length).toBeLessThan(MATMUL_SHAPES.length);
    expect(QUICK_MATMUL_SHAPES.some(([M, , N]) => M > 64 || N > 64 || M === 63)).toBe(true);
    expect(Math.max(...QUICK_MATMUL_SHAPES.map(([, R]) => R))).toBe(4096);
  });

  it('gives every step group at least one shape its network accepts, all from its full list', () => {
    const groups = stepGroups(MATMUL_KERNELS);
    expect(groups.length).toBeGreaterThan(20);
    for (const g of groups) {
      const quick = g.quick ?? g.shapes;
      for (const s of quick) expect(g.shapes.map(label), g.name).toContain(label(s));
      expect(quick.filter((s) => g.net(s) !== null).length, g.name).toBeGreaterThan(0);
    }
  });
});

const ok = await haveGpu();

describe.skipIf(!ok)('verifyBackend({ quick: true }) on this adapter', () => {
  it('lists the same groups as the full plan, each passing on its quick shapes', async () => {
    const ctx = (await sharedGpu())!;
    const heard: string[] = [];
    const report = await verifyBackend({ context: ctx, quick: true, kernels: ['naive'], onResult: (r) => heard.push(r.group) });
    const names = report.groups.map((g) => g.group);
    const expected = [...['NT', 'NN', 'TN'].map((f) => `matmul naive ${f} (plain)`), ...stepGroups(['naive']).map((g) => g.name), ...layerGroups().map((g) => g.name)];
    expect(names).toEqual(expected);
    // progress hears of every group, matmul ones included, in order
    expect(heard).toEqual(expected);
    expect(report.groups.filter((g) => !g.pass).map((g) => `${g.group}: ${g.detail}`)).toEqual([]);
    for (const g of report.groups.slice(0, 3)) expect(g.shapes).toEqual(QUICK_MATMUL_SHAPES.map(([M, R, N]) => `${M}×${R}×${N}`));
    const steps = stepGroups(['naive']);
    report.groups.slice(3, 3 + steps.length).forEach((g, k) => {
      const want = (steps[k].quick ?? steps[k].shapes).filter((s) => steps[k].net(s) !== null).map(label);
      expect(g.shapes, g.group).toEqual(want);
    });
    // and quick really is smaller somewhere among the steps
    expect(steps.some((g) => g.quick && g.quick.length < g.shapes.length)).toBe(true);
    // the image-layer groups run their first network each in a quick run
    report.groups.slice(3 + steps.length).forEach((g, k) => expect(g.shapes, g.group).toEqual([layerGroups()[k].nets[0].label]));
  }, 300_000);
});
