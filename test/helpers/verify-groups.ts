/**
 * The groups a verify report must list, from the engine's own lists (MATMUL_KERNELS this adapter runs,
 * ACTIVATIONS, LOSSES, the optimizers with and without L2, the training modes, inference): shared by
 * verify.test.ts (steps only, in Node) and demo-browser.test.ts (the quick plan in the page).
 */
import { expect } from 'vitest';
import { ACTIVATIONS } from '../../src/activations.ts';
import { LOSSES } from '../../src/losses.ts';
import { OPTIMIZER_ID } from '../../src/optimizers.ts';
import { BYTE_OPERAND_KERNELS, MATMUL_KERNELS, matmulAvailable } from '../../src/backends/webgpu/kernels.ts';
import type { VerifyReport } from '../../src/verify/index.ts';
import { subgroupsExpected } from './gpu.ts';

/** Every group is listed; `plain`: the plain products too (each kernel × form), else none of them. */
export function expectEveryGroup(report: Pick<VerifyReport, 'groups' | 'features' | 'adapter'>, options: { plain: boolean }): void {
  const names = report.groups.map((g) => g.group);
  const has = (s: string) => expect(names.some((n) => n.includes(s)), s).toBe(true);
  // the kernel list below leaves out what the adapter cannot run: on SwiftShader (where the tuner picks
  // `subgroup`) that must not quietly drop the subgroup groups, so the feature itself is asserted there
  if (subgroupsExpected(report.adapter)) expect(report.features, `${report.adapter.description}: features`).toContain('subgroups');
  // the default kernel list is every kernel this adapter runs
  for (const k of MATMUL_KERNELS.filter((k) => matmulAvailable(k, report.features))) {
    if (options.plain) for (const form of ['NT', 'NN', 'TN']) has(`matmul ${k} ${form} (plain)`);
    has(`matmul ${k} fused epilogues`);
  }
  // the register-blocked kernels' 8-bit operands (the first layer's batch of a byte data set)
  if (options.plain) {
    for (const k of BYTE_OPERAND_KERNELS.filter((k) => matmulAvailable(k, report.features))) {
      has(`matmul ${k} NT (plain, 8-bit A)`);
      has(`matmul ${k} TN (plain, 8-bit B)`);
    }
  }
  if (!options.plain) expect(names.some((n) => n.includes('(plain'))).toBe(false);
  for (const a of ACTIVATIONS) has(`activation ${a} `);
  for (const l of LOSSES) has(`loss ${l} `);
  for (const o of Object.keys(OPTIMIZER_ID)) {
    has(`optimizer ${o} (`);
    has(`optimizer ${o} + L2`);
  }
  for (const m of ['online', 'mini-batch', 'full batch']) has(`training step, ${m}`);
  has('gather + evaluate (metrics) + predict');
}
