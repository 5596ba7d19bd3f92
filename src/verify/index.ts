/**
 * verifyBackend(): every kernel the engine can use on this adapter, against the CPU reference, on odd and
 * edge shapes — the check CI runs on SwiftShader, offered to every user on their own GPU and driver
 * (`deltagpu verify`). Browser-safe: it only needs a WebGPU device.
 *
 *   const report = await verifyBackend();
 *   for (const line of formatVerifyReport(report)) console.log(line);
 *   if (!report.passed) …
 */
import { createCpuBackend } from '../backends/cpu/backend.ts';
import { requestGpu } from '../backends/webgpu/device.ts';
import type { AdapterReport, GpuContext } from '../backends/webgpu/device.ts';
import { createWebGpuBackend } from '../backends/webgpu/index.ts';
import type { WebGpuBackend } from '../backends/webgpu/index.ts';
import { MATMUL_KERNELS, matmulAvailable } from '../backends/webgpu/kernels.ts';
import type { MatmulKernel } from '../backends/webgpu/kernels.ts';
import { MATMUL_SHAPES, QUICK_MATMUL_SHAPES, checkMatmuls } from './matmul.ts';
import { checkSteps } from './steps.ts';
import { checkLayers } from './layers.ts';
import type { ConvKernel } from '../backends/webgpu/conv2d.ts';
import type { CheckResult } from './result.ts';

export type { CheckResult } from './result.ts';

export interface VerifyOptions {
  /** use this device (default: acquire one, as createWebGpuBackend does) */
  context?: GpuContext;
  /** which parts: products alone, whole steps of dense nets, the image layers (conv2d, pooling, dropout, flatten); default all */
  parts?: ('matmul' | 'steps' | 'layers')[];
  /** only these matmul kernels (default: every one this adapter supports) */
  kernels?: MatmulKernel[];
  /** only the groups whose name matches (e.g. /regblock/) */
  filter?: RegExp;
  /**
   * fewer and smaller shapes per group (matmul: QUICK_MATMUL_SHAPES; steps: each group's `quick` list), every
   * group still checked: the browser demo's default, for a first look at an adapter (default false)
   */
  quick?: boolean;
  /** called after each group, for progress */
  onResult?: (r: CheckResult) => void;
}

export interface VerifyReport {
  adapter: AdapterReport & { driver: string };
  features: string[];
  passed: boolean;
  groups: CheckResult[];
  seconds: number;
}

/** Runs the checks; never throws for a kernel mismatch (that is a failed group), only for no adapter. */
export async function verifyBackend(options: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const ctx = options.context ?? (await requestGpu());
  if (!ctx) throw new Error('verify: no WebGPU adapter on this machine (nothing to verify)');
  const parts = options.parts ?? ['matmul', 'steps', 'layers'];
  const kernels = MATMUL_KERNELS.filter((k) => matmulAvailable(k, ctx.features) && (!options.kernels || options.kernels.includes(k)));
  const groups: CheckResult[] = [];
  const keep = (r: CheckResult) => !options.filter || options.filter.test(r.group);
  const backends = new Map<string, WebGpuBackend>();
  try {
    if (parts.includes('matmul')) {
      await checkMatmuls(ctx, kernels, options.quick ? QUICK_MATMUL_SHAPES : MATMUL_SHAPES, (r) => {
        if (!keep(r)) return;
        groups.push(r);
        options.onResult?.(r);
      });
    }
    if (parts.includes('steps')) {
      const gpuFor = async (kernel?: string) => {
        const key = kernel ?? 'auto';
        let b = backends.get(key);
        if (!b) {
          b = await createWebGpuBackend({ context: ctx, matmul: (kernel ?? 'auto') as MatmulKernel | 'auto' });
          backends.set(key, b);
        }
        return b;
      };
      groups.push(...(await checkSteps(createCpuBackend({ kernels: 'reference' }), gpuFor, kernels, options.filter, options.onResult, options.quick)));
    }
    if (parts.includes('layers')) {
      const gpuForConv = async (conv?: ConvKernel) => {
        const key = `conv ${conv ?? 'auto'}`;
        let b = backends.get(key);
        if (!b) {
          b = await createWebGpuBackend({ context: ctx, conv: conv ?? 'auto' });
          backends.set(key, b);
        }
        return b;
      };
      groups.push(...(await checkLayers(createCpuBackend({ kernels: 'reference' }), gpuForConv, options.filter, options.onResult, options.quick)));
    }
  } finally {
    for (const b of backends.values()) b.dispose();
    if (!options.context) ctx.device.destroy();
  }
  return {
    adapter: { ...ctx.report, driver: driverOf(ctx.report) },
    features: ctx.features,
    passed: groups.every((g) => g.pass),
    groups,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** WebGPU exposes no driver version field; the description is where adapters name it (Dawn: "… driver 5.0.0"). */
function driverOf(a: AdapterReport): string {
  return /driver/i.test(a.description) ? a.description : 'not reported by the adapter';
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : String(x));

/** One line per group, the adapter first, the verdict last. */
export function formatVerifyReport(r: VerifyReport): string[] {
  const a = r.adapter;
  const lines = [
    `adapter: vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, description ${a.description || '?'}, driver ${a.driver}${a.isFallback ? ' (software fallback)' : ''}`,
    `features: ${r.features.join(', ') || 'none'}`,
  ];
  for (const g of r.groups) lines.push(formatResult(g));
  const failed = r.groups.filter((g) => !g.pass).length;
  lines.push(failed === 0 ? `verify: all ${r.groups.length} kernel groups pass (${r.seconds.toFixed(1)} s)` : `verify: ${failed} of ${r.groups.length} kernel groups FAIL`);
  return lines;
}

export function formatResult(g: CheckResult): string {
  const head = `${g.pass ? 'pass' : 'FAIL'}  ${g.group} [${g.shapes.join(', ')}] max error ${sci(g.maxError)}, tolerance ${sci(g.tolerance)} (${g.why})`;
  return g.pass ? head : `${head}\n      ${g.detail ?? ''}`;
}
