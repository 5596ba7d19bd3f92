/**
 * Shared GPU acquisition for the WebGPU tests. Points Vulkan at SwiftShader when VK_ICD_FILENAMES is unset
 * and chromium's driver exists (so plain `npm test` works on a machine without a GPU). Where no adapter
 * appears: in CI (process.env.CI set) the tests FAIL; elsewhere they are skipped with a loud warning.
 */
import { requestGpu } from '../../src/backends/webgpu/device.ts';
import type { GpuContext } from '../../src/backends/webgpu/device.ts';

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
