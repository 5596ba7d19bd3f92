/**
 * Every matmul kernel (MATMUL_KERNELS: naive, register-blocked, shared-memory tiled, split-K) in every form
 * the training step uses (NT forward, NN backprop, TN weight gradient) against a float64 CPU loop, on seeded
 * random inputs in [-1, 1), on the shapes and on verify's (shapes that are not multiples of any
 * tile, and a long sum). The only place the plain products are checked; `deltagpu verify` runs the same
 * check on a user's adapter, and verify's own tests check the tool (groups, a caught break, --json).
 *
 * Tolerance: a float32 dot product of R terms accumulates at most ~R·2⁻²⁴ relative rounding per term
 * (worst case, summed over |a·b|); with |a|,|b| ≤ 1, |C| is typically √R/3 while Σ|a·b| ≤ R/4, so
 * error ≤ R·2⁻²⁴·R/4. We check |gpu − ref| ≤ 4·R·2⁻²³·(Σ_r |a_r b_r|) per element — the classical
 * bound with a factor-of-4 margin — which is what a correct kernel satisfies and an indexing slip
 * (wrong element, missed term, stale row) violates by orders of magnitude.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { haveGpu, randomArray, requireKernel, sharedGpu } from './helpers/gpu.ts';
import { GpuMemory } from '../src/backends/webgpu/memory.ts';
import { BYTE_OPERAND_KERNELS, Kernels, MATMUL_KERNELS } from '../src/backends/webgpu/kernels.ts';
import type { MatmulForm } from '../src/backends/webgpu/kernels.ts';
import { productBound } from '../src/verify/tolerance.ts';
import { worstRatio } from './helpers/error-ratio.ts';
import { MATMUL_SHAPES } from '../src/verify/matmul.ts';
import { GpuMatmul, matmulReference, operandShapes } from '../src/backends/webgpu/matmul.ts';
import { UNORM8 } from '../src/backends/upload.ts';
import { Random } from '../src/random.ts';

const ok = await haveGpu();

// worstRatio(R): how far inside productBound a correct kernel stays (test/helpers/error-ratio.ts)
const ratios: string[] = [];
afterAll(() => {
  if (process.env.DELTAGPU_LOG_RATIOS) console.log(ratios.join('\n'));
});

/** Σ_r |A'(i,r)·B'(r,j)| for every element: the scale of rounding error. */
function absProduct(form: MatmulForm, shape: { M: number; N: number; R: number }, A: Float32Array, B: Float32Array): Float64Array {
  return matmulReference(form, shape, A.map(Math.abs), B.map(Math.abs));
}

const SHAPES: (readonly [number, number, number])[] = [
  // M × K × N as in the issue (K = R, the summed dimension)
  [7, 13, 5],
  [33, 65, 17],
  [128, 784, 10],
  [64, 9, 40],
  // and verify's list (src/verify/matmul.ts: 1×1×1, odd sizes around 64 and 128, the long sum K = 4096),
  // so this file is where every kernel × form is checked against the CPU; verify.test.ts checks verify itself
  ...MATMUL_SHAPES,
];

describe.skipIf(!ok)('matmul kernels vs CPU', () => {
  let mem: GpuMemory;
  let kernels: Kernels;
  afterAll(() => mem?.destroyAll());

  for (const kernel of MATMUL_KERNELS) {
    for (const form of ['NT', 'NN', 'TN'] as MatmulForm[]) {
      it(`${kernel} ${form}`, async (ctx) => {
        const gpu = (await sharedGpu())!;
        requireKernel(ctx, gpu, kernel); // subgroup: fails on SwiftShader without the feature, else skipped
        mem ??= new GpuMemory(gpu.device);
        kernels ??= new Kernels(gpu.device);
        for (const [M, R, N] of SHAPES) {
          const shape = { M, N, R };
          const s = operandShapes(form, shape);
          const A = randomArray(s.a[0] * s.a[1], M * 1000 + R);
          const B = randomArray(s.b[0] * s.b[1], N * 7 + R);
          const mm = await GpuMatmul.create(mem, kernels, kernel, form, shape, A, B);
          const C = await mm.run();
          const ref = matmulReference(form, shape, A, B);
          const scale = absProduct(form, shape, A, B);
          let worst = 0;
          for (let k = 0; k < ref.length; k++) {
            const bound = productBound(R, scale[k]);
            worst = Math.max(worst, Math.abs(C[k] - ref[k]) / bound);
            if (!(Math.abs(C[k] - ref[k]) <= bound)) {
              throw new Error(`${kernel} ${form} ${M}×${R}×${N}: C[${k}] = ${C[k]}, expected ${ref[k]} (bound ${bound})`);
            }
          }
          // well inside the bound, not just under it (see worstRatio)
          expect(worst, `${kernel} ${form} ${M}×${R}×${N}: worst error / bound`).toBeLessThan(worstRatio(R));
          ratios.push(`${kernel} ${form} ${M}×${R}×${N} ${worst.toExponential(2)}`);
        }
      });
    }
  }
});

describe.skipIf(!ok)('register-blocked kernels with 8-bit operands (the first layer of a byte data set) vs CPU', () => {
  // A = X (bytes) in the forward NT form, B = X in the weight gradient TN form; odd widths exercise the
  // padding of packed rows (a row of 13 bytes is 4 words, its last 3 bytes zero)
  let mem: GpuMemory;
  let kernels: Kernels;
  afterAll(() => mem?.destroyAll());
  for (const [kernel, form] of BYTE_OPERAND_KERNELS.flatMap((k) => (['NT', 'TN'] as const).map((f) => [k, f] as const))) {
    it(`${kernel} ${form}, 8-bit ${form === 'NT' ? 'A' : 'B'}`, async (ctx) => {
      const gpu = (await sharedGpu())!;
      requireKernel(ctx, gpu, kernel); // subgroup: fails on SwiftShader without the feature, else skipped
      mem ??= new GpuMemory(gpu.device);
      kernels ??= new Kernels(gpu.device);
      for (const [M, R, N] of [...SHAPES, [13, 13, 13], [65, 257, 31]] as [number, number, number][]) {
        const shape = { M, N, R };
        const s = operandShapes(form, shape);
        const rng = new Random(M * 31 + R * 7 + N);
        const n = form === 'NT' ? s.a[0] * s.a[1] : s.b[0] * s.b[1];
        const bytes = Uint8Array.from({ length: n }, () => Math.floor(rng.uniform(0, 256)));
        const x = Float32Array.from(bytes, (b) => UNORM8[b]);
        const other = form === 'NT' ? randomArray(s.b[0] * s.b[1], N * 7 + R) : randomArray(s.a[0] * s.a[1], M * 1000 + R);
        const [A, B] = form === 'NT' ? [x, other] : [other, x];
        const mm = await GpuMatmul.create(mem, kernels, kernel, form, shape, form === 'NT' ? bytes : A, form === 'NT' ? B : bytes);
        const C = await mm.run();
        const ref = matmulReference(form, shape, A, B);
        const scale = absProduct(form, shape, A, B);
        let worst = 0;
        for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(C[k] - ref[k]) / productBound(R, scale[k] || 1e-30));
        expect(worst, `${kernel} ${form} ${M}×${R}×${N}: worst error / bound`).toBeLessThan(worstRatio(R));
        ratios.push(`${kernel} ${form} u8 ${M}×${R}×${N} ${worst.toExponential(2)}`);
      }
    });
  }
});
