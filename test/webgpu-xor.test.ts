/**
 * The lecture's XOR worked example (online SGD, no bias, η = 0.25, the lecture's initial weights) traced
 * on the GPU comes out the same as on the CPU reference: every pattern's hidden and output values, both
 * deltas, and the weights after each update.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { traceXor } from '../src/examples/xor.ts';
import type { XorTraceRow } from '../src/examples/xor.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';

const ok = await haveGpu();

describe.skipIf(!ok)('XOR worked example on the GPU', () => {
  it('traces the same table as the CPU for 3 epochs (12 patterns)', async () => {
    const cpuRows: XorTraceRow[] = [];
    const gpuRows: XorTraceRow[] = [];
    await traceXor(createCpuBackend({ kernels: 'reference' }), 3, (r) => cpuRows.push(r));
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      await traceXor(gpu, 3, (r) => gpuRows.push(r));
    } finally {
      gpu.dispose();
    }
    expect(gpuRows.length).toBe(12);
    expect(cpuRows.length).toBe(12);
    // sums of 2 terms in float32 on both sides: agreement to ~1e-7; allow 1e-6
    const flat = (r: XorTraceRow) => [r.epoch, r.pattern, ...r.input, ...r.target, ...r.hidden, ...r.output, ...r.deltaOutput, ...r.deltaHidden, ...r.weightsHidden.flat(), ...r.weightsOutput.flat()];
    cpuRows.forEach((c, k) => {
      const a = flat(gpuRows[k]);
      const b = flat(c);
      expect(a.length).toBe(b.length);
      b.forEach((v, i) => expect(Math.abs(a[i] - v), `row ${k} value ${i}`).toBeLessThanOrEqual(1e-6));
    });
    // and the trace is not trivially constant: the weights moved
    expect(gpuRows[11].weightsOutput[0][0]).not.toBe(gpuRows[0].weightsOutput[0][0]);
  });
});
