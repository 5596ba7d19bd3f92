/**
 * The GPU's radial units (one matmul X·Cᵀ per kernel + the rbf epilogue, shaders/epilogue_rbf.wgsl)
 * against the CPU reference (src/backends/cpu/rbf.ts, r² summed directly in float64), on seeded random
 * odd shapes, for every matmul kernel and every basis.
 *
 * Tolerance: the GPU forms r² = ‖x‖² − 2·x·c + ‖c‖² in float32. Each of the three terms carries the dot
 * product's rounding bound R·2⁻²³·Σ|terms| (see webgpu-matmul.test.ts), so
 *   |Δr²| ≤ 4·R·2⁻²³·(‖x‖² + ‖c‖² + 2·Σ|x_i·c_i|)
 * (factor-4 margin), and φ's error follows from its derivative: |Δφ| ≤ |φ'(r²)|·|Δr²| plus a few ulp of φ.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { haveGpu, randomArray, sharedGpu } from './helpers/gpu.ts';
import { GpuMemory } from '../src/backends/webgpu/memory.ts';
import { Kernels, MATMUL_KERNELS } from '../src/backends/webgpu/kernels.ts';
import { rbfFeaturesGpu } from '../src/backends/webgpu/rbf.ts';
import { rbfFeaturesCpu } from '../src/backends/cpu/rbf.ts';
import type { RadialBasis } from '../src/backends/cpu/rbf.ts';

const ok = await haveGpu();

// rows × inputs × centres, none a multiple of any tile
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [65, 33, 17],
  [70, 9, 130],
];

describe.skipIf(!ok)('rbf epilogue vs CPU', () => {
  let mem: GpuMemory;
  let kernels: Kernels;
  afterAll(() => mem?.destroyAll());

  for (const kernel of MATMUL_KERNELS) {
    it(`${kernel}: gaussian, thin plate and distance on odd shapes`, async () => {
      const gpu = (await sharedGpu())!;
      mem ??= new GpuMemory(gpu.device);
      kernels ??= new Kernels(gpu.device);
      for (const [N, D, K] of SHAPES) {
        const x = { data: randomArray(N * D, N * 31 + D), rows: N, cols: D };
        const C = randomArray(K * D, K * 17 + D + 1);
        const sigma2 = Array.from(randomArray(K, K + 5), (v) => 0.25 + Math.abs(v) * D * 0.3);
        // the error scale of r² per element
        const scale = new Float64Array(N * K);
        for (let r = 0; r < N; r++) {
          for (let j = 0; j < K; j++) {
            let s = 0;
            for (let i = 0; i < D; i++) {
              const a = x.data[r * D + i];
              const c = C[j * D + i];
              s += a * a + c * c + 2 * Math.abs(a * c);
            }
            scale[r * K + j] = 4 * D * 2 ** -23 * s;
          }
        }
        const r2 = rbfFeaturesCpu(x, C, sigma2, 'distance');
        for (const basis of ['distance', 'gaussian', 'thinPlate'] as RadialBasis[]) {
          const want = rbfFeaturesCpu(x, C, sigma2, basis);
          const got = await rbfFeaturesGpu(mem, kernels, kernel, x, C, sigma2, basis);
          expect(got.length).toBe(N * K);
          for (let k = 0; k < want.length; k++) {
            const j = k % K;
            const dr2 = scale[k];
            const slope = basis === 'distance' ? 1 : basis === 'gaussian' ? want[k] / (2 * sigma2[j]) : Math.abs(0.5 * (Math.log(Math.max(r2[k], 1e-30)) + 1));
            const bound = slope * dr2 + 4 * 2 ** -23 * Math.abs(want[k]) + 1e-30;
            if (!(Math.abs(got[k] - want[k]) <= bound)) {
              throw new Error(`${kernel} ${basis} ${N}×${D}, ${K} centres: φ[${k}] = ${got[k]}, expected ${want[k]} (bound ${bound})`);
            }
          }
        }
      }
    });
  }

  it('rows in chunks: 3000 rows of 40 inputs in chunks of 1000, 23 centres, same as the CPU; every buffer freed', async () => {
    const gpu = (await sharedGpu())!;
    mem ??= new GpuMemory(gpu.device);
    kernels ??= new Kernels(gpu.device);
    const x = { data: randomArray(3000 * 40, 9), rows: 3000, cols: 40 };
    const C = randomArray(23 * 40, 10);
    const s2 = new Array(23).fill(4);
    const want = rbfFeaturesCpu(x, C, s2, 'gaussian');
    const got = await rbfFeaturesGpu(mem, kernels, 'regblock', x, C, s2, 'gaussian', 1000);
    let worst = 0;
    want.forEach((w, k) => (worst = Math.max(worst, Math.abs(got[k] - w))));
    expect(worst).toBeLessThan(1e-5);
    expect(mem.liveCount).toBe(0);
  });
});
