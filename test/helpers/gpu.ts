/**
 * Shared GPU acquisition for the WebGPU tests. Points Vulkan at SwiftShader when VK_ICD_FILENAMES is unset
 * and chromium's driver exists (so plain `npm test` works on a machine without a GPU). Where no adapter
 * appears: in CI (process.env.CI set) the tests FAIL; elsewhere they are skipped with a loud warning.
 */
import { requestGpu } from '../../src/backends/webgpu/device.ts';
import type { AdapterReport, GpuContext } from '../../src/backends/webgpu/device.ts';
import { matmulAvailable, type MatmulKernel } from '../../src/backends/webgpu/kernels.ts';

export const NO_ADAPTER =
  'no WebGPU adapter: install libvulkan1 + chromium and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader)';

let shared: Promise<GpuContext | null> | undefined;

/** One device for a whole test file (creating devices is slow on SwiftShader). */
export function sharedGpu(): Promise<GpuContext | null> {
  shared ??= requestGpu();
  return shared;
}

/**
 * Resolves to the context, or to null after warning (locally) — or throws in CI. Use as
 * `const gpu = await gpuOrSkip(); if (!gpu) return;` inside beforeAll / tests, or with `describe.skipIf`.
 */
export async function gpuOrSkip(): Promise<GpuContext | null> {
  const gpu = await sharedGpu();
  if (gpu) return gpu;
  if (process.env.CI) throw new Error(NO_ADAPTER);
  console.warn(`\n*** WebGPU tests SKIPPED: ${NO_ADAPTER} ***\n`);
  return null;
}

/** Whether the GPU tests can run: resolved once at collection time (top-level await in the test file). */
export async function haveGpu(): Promise<boolean> {
  return (await gpuOrSkip()) !== null;
}

/**
 * Whether this adapter must offer the `subgroups` feature: SwiftShader (CI's adapter, in Dawn and in
 * Chromium) does, and the tuner picks the `subgroup` kernel there, so its absence is a broken install.
 */
export function subgroupsExpected(report: Pick<AdapterReport, 'architecture' | 'description' | 'device'>): boolean {
  return /swiftshader/i.test(`${report.architecture} ${report.description} ${report.device}`);
}

/**
 * Inside a test of one matmul kernel: returns when the adapter runs it; FAILS when the kernel needs a feature
 * the adapter should have (subgroups on SwiftShader); otherwise marks the test skipped (`ctx.skip()`), so
 * that a kernel this adapter cannot run shows as skipped rather than passed.
 */
export function requireKernel(ctx: { skip: (note?: string) => void }, gpu: Pick<GpuContext, 'features' | 'report'>, kernel: MatmulKernel): void {
  if (matmulAvailable(kernel, gpu.features)) return;
  if (subgroupsExpected(gpu.report)) {
    throw new Error(`${kernel}: the adapter (${gpu.report.architecture} ${gpu.report.description}) lacks the 'subgroups' feature it is expected to have; features: ${gpu.features.join(', ')}`);
  }
  ctx.skip(`${kernel} needs the 'subgroups' feature, which this adapter lacks`);
}

/**
 * The matmul kernel the tests that are not about tuning pin (`matmul: TEST_KERNEL(ctx)`), so that a failure
 * reproduces instead of depending on which kernel won this machine's timing race: the kernel the tuner's
 * software guess starts from (subgroup where the adapter has it, else regblock). verify and
 * webgpu-matmul still check every kernel; webgpu-tuner checks the tuned path.
 */
export function testKernel(ctx: Pick<GpuContext, 'features'>): MatmulKernel {
  return matmulAvailable('subgroup', ctx.features) ? 'subgroup' : 'regblock';
}

/** Seeded uniform values in [-1, 1) (mulberry32), so failures reproduce. */
export function randomArray(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[k] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return out;
}

/** max |a − b| / (|b| + atol) over all elements, and where. */
export function worstError(a: ArrayLike<number>, b: ArrayLike<number>, atol: number): { rel: number; at: number } {
  let rel = 0;
  let at = -1;
  for (let k = 0; k < b.length; k++) {
    const e = Math.abs(a[k] - b[k]) / (Math.abs(b[k]) + atol);
    if (!(e <= rel)) {
      rel = e;
      at = k;
    }
  }
  return { rel, at };
}
