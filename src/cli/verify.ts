/**
 * `deltagpu verify`: runs verifyBackend() (src/verify/) on this machine's WebGPU adapter and prints one line
 * per kernel group, or one JSON object with --json. Exits 1 when any group fails.
 */
import { parseArgs } from 'node:util';
import { formatResult, formatVerifyReport, verifyBackend } from '../verify/index.ts';
import { requestGpu } from '../backends/webgpu/device.ts';
import { MATMUL_KERNELS } from '../backends/webgpu/kernels.ts';
import type { MatmulKernel } from '../backends/webgpu/kernels.ts';

export const VERIFY_HELP = `deltagpu verify [--json] [--quick] [--matmul-only] [--kernel NAME]
  checks every kernel the engine can use on this WebGPU adapter against the CPU reference
  (matmul variants × forms, activations, losses, optimizers, gather, metrics, whole training steps)
  --quick: every group on fewer, smaller shapes (the browser demo's default; CI's run on lavapipe)`;

export async function verifyCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'matmul-only': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      kernel: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(VERIFY_HELP);
    return 0;
  }
  for (const k of values.kernel ?? []) {
    if (!MATMUL_KERNELS.includes(k as MatmulKernel)) throw new RangeError(`--kernel must be one of ${MATMUL_KERNELS.join(', ')}, got '${k}'`);
  }
  const context = await requestGpu();
  if (!context) throw new Error('no WebGPU adapter on this machine: nothing to verify (deltagpu info says why)');
  const lines = (r: Parameters<typeof formatVerifyReport>[0]) => formatVerifyReport(r);
  if (!values.json) out(`adapter: ${context.describe()}`);
  const report = await verifyBackend({
    context,
    parts: values['matmul-only'] ? ['matmul'] : undefined,
    kernels: values.kernel as MatmulKernel[] | undefined,
    quick: values.quick,
    onResult: values.json ? undefined : (r) => out(formatResult(r)),
  });
  context.device.destroy();
  if (values.json) out(JSON.stringify(report));
  else {
    const all = lines(report);
    out(all[0]);
    out(all[1]);
    out(all[all.length - 1]);
  }
  return report.passed ? 0 : 1;
}
