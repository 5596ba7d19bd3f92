/**
 * Picking a backend. 'auto' prefers a hardware GPU; a software adapter (SwiftShader, lavapipe: flagged
 * `isFallbackAdapter` or named so, see isSoftwareAdapter in webgpu/device.ts) emulates the GPU on the CPU and trains far slower than the plain CPU backend, so
 * 'auto' takes the CPU there and says why. 'webgpu' forces the GPU path on any adapter.
 */
import { createCpuBackend } from './cpu/backend.ts';
import type { Backend } from '../backend.ts';
import type { MatmulKernel } from './webgpu/kernels.ts';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu';
/** the WebGPU matmul kernel: 'auto' tunes, a name forces one (see webgpu/kernels.ts MATMUL_KERNELS) */
export type WebGpuMatmulChoice = 'auto' | MatmulKernel;

/** Checks compile's `backend` option where it is given, so a wrong object fails by name and not inside fit. */
export function checkBackendOption(b: unknown): void {
  if (b === undefined || b === 'auto' || b === 'cpu' || b === 'webgpu') return;
  if (typeof b === 'object' && b !== null && typeof (b as Backend).compile === 'function' && typeof (b as Backend).dispose === 'function') return;
  const got = typeof b === 'string' ? `'${b}'` : b === null ? 'null' : typeof b === 'object' ? `an object without compile() and dispose() (keys: ${Object.keys(b).slice(0, 5).join(', ') || 'none'})` : `${typeof b} ${String(b)}`;
  throw new TypeError(`compile: backend must be 'auto', 'webgpu', 'cpu' or a Backend (from createCpuBackend() or createWebGpuBackend()), got ${got}`);
}

export async function createBackend(choice: BackendChoice, notice: (msg: string) => void = () => {}, gpuOptions: { matmul?: WebGpuMatmulChoice } = {}): Promise<Backend> {
  if (choice === 'cpu') return createCpuBackend();
  if (choice !== 'auto' && choice !== 'webgpu') throw new RangeError(`unknown backend '${String(choice)}'; expected auto, webgpu or cpu`);
  const { createWebGpuBackend } = await import('./webgpu/index.ts');
  if (choice === 'webgpu') return createWebGpuBackend(gpuOptions);
  let gpu: Backend;
  try {
    gpu = await createWebGpuBackend(gpuOptions);
  } catch (e) {
    notice(`No WebGPU adapter (${(e as Error).message.split('\n')[0]}): training on the CPU backend.`);
    return createCpuBackend();
  }
  if (gpu.isFallbackAdapter) {
    notice(`Only a software WebGPU adapter is available (${gpu.description}); it is slower than the CPU backend, so training on the CPU. Choose the 'webgpu' backend (--backend webgpu) to force it.`);
    gpu.dispose();
    return createCpuBackend();
  }
  return gpu;
}
