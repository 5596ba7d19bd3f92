/**
 * `deltagpu verify` on this machine's adapter (SwiftShader in CI): every step group passes, and the
 * report lists every group the engine's lists imply (each matmul kernel's fused epilogues, each activation,
 * loss, optimizer, training mode, and gather/metrics). The CLI's --json carries the adapter and every group.
 * The plain products are verify's other part; that every kernel × form passes them is webgpu-matmul.test.ts's
 * claim (on the same shapes), that verify lists and judges them is verify-quick's and verify-break's.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { verifyBackend, formatVerifyReport } from '../src/verify/index.ts';
import { expectEveryGroup } from './helpers/verify-groups.ts';
import { main } from '../src/cli/main.ts';

const ok = await haveGpu();

describe.skipIf(!ok)('verifyBackend on this adapter', () => {
  // the step groups only: the plain products (every kernel × form vs the CPU, on verify's shapes) are
  // checked once, by webgpu-matmul.test.ts; their listing and verdicts by verify-quick, verify-break and --json below
  it('passes every step group, and lists every group the engine\'s lists imply', async () => {
    const ctx = (await sharedGpu())!;
    const report = await verifyBackend({ context: ctx, parts: ['steps'] });
    const failed = report.groups.filter((g) => !g.pass);
    expect(failed.map((g) => `${g.group}: ${g.detail}`)).toEqual([]);
    expect(report.passed).toBe(true);
    expectEveryGroup(report, { plain: false });
    // every group tried shapes and measured an error below its tolerance
    for (const g of report.groups) {
      expect(g.shapes.length).toBeGreaterThan(0);
      expect(g.maxError).toBeLessThanOrEqual(g.tolerance);
    }
    const text = formatVerifyReport(report);
    expect(text[0]).toContain(`vendor ${report.adapter.vendor}`);
    expect(text.at(-1)).toContain(`all ${report.groups.length} kernel groups pass`);
    // SwiftShader compiles each workgroup-memory kernel in seconds, more on a loaded machine
  }, 600_000);

  it('deltagpu verify --json prints one object with the adapter and every group; exit 0', async () => {
    const lines: string[] = [];
    const code = await main(['verify', '--json', '--matmul-only', '--kernel', 'naive'], (s) => lines.push(s));
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]);
    expect(r.passed).toBe(true);
    expect(r.adapter.vendor).toBe((await sharedGpu())!.report.vendor);
    expect(typeof r.adapter.driver).toBe('string');
    expect(r.groups.map((g: { group: string }) => g.group)).toEqual(['NT', 'NN', 'TN'].map((f) => `matmul naive ${f} (plain)`));
    for (const g of r.groups) expect(g.maxError).toBeLessThanOrEqual(g.tolerance);
  });

  it('rejects an unknown --kernel by name', async () => {
    await expect(main(['verify', '--kernel', 'fastest'], () => {})).resolves.toBe(1);
  });
});
