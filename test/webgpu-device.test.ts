/** Device acquisition: the adapter is reported, and the device gets the adapter's maximum buffer limits. */
import { describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { createWebGpuBackend, limitsReport } from '../src/backends/webgpu/index.ts';

const ok = await haveGpu();

describe.skipIf(!ok)('WebGPU device', () => {
  it('reports the adapter and requests its maximum storage limits', async () => {
    const gpu = (await sharedGpu())!;
    const r = gpu.report;
    expect(typeof r.isFallback).toBe('boolean');
    expect(r.vendor.length + r.architecture.length + r.description.length).toBeGreaterThan(0);
    const a = gpu.adapter.limits;
    expect(gpu.limits.maxStorageBufferBindingSize).toBe(a.maxStorageBufferBindingSize);
    expect(gpu.limits.maxBufferSize).toBe(a.maxBufferSize);
    expect(gpu.limits.maxStorageBuffersPerShaderStage).toBe(a.maxStorageBuffersPerShaderStage);
    const backend = await createWebGpuBackend({ context: gpu });
    expect(backend.name).toBe('webgpu');
    expect(backend.isFallbackAdapter).toBe(r.isFallback);
    expect(backend.description).toContain(r.vendor);
    expect(backend.limits).toEqual(limitsReport(gpu.limits));
    // 'auto' tunes the matmul per product (tuner.ts); a forced kernel is reported as such
    expect(backend.matmulKernel).toBe('tuned');
    expect((await createWebGpuBackend({ context: gpu, matmul: 'splitk' })).matmulKernel).toBe('splitk');
    console.info(`adapter: ${gpu.describe()}; limits ${JSON.stringify(backend.limits)}`);
  });
});
