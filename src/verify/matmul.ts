/**
 * verify, part 1: every matmul kernel in every form (NT forward, NN backprop, TN weight gradient) with the
 * plain epilogue, against a float64 CPU loop (matmulReference), on shapes that are not multiples of any
 * tile: single elements, odd sizes around 64 and 128, the MNIST layer, and a long sum (K = 4096). The fused
 * epilogues are checked by whole training steps (steps.ts), where each kernel runs forced.
 */
import { BYTE_OPERAND_KERNELS, Kernels, MATMUL_KERNELS, matmulAvailable } from '../backends/webgpu/kernels.ts';
import type { MatmulForm, MatmulKernel } from '../backends/webgpu/kernels.ts';
import { GpuMatmul, matmulReference, operandShapes } from '../backends/webgpu/matmul.ts';
import type { MatmulShape } from '../backends/webgpu/matmul.ts';
import { GpuMemory } from '../backends/webgpu/memory.ts';
import type { GpuContext } from '../backends/webgpu/device.ts';
import { Random } from '../random.ts';
import { UNORM8 } from '../backends/upload.ts';
import { PRODUCT_WHY, productBound } from './tolerance.ts';
import { Worst } from './result.ts';
import type { CheckResult } from './result.ts';

export const FORMS: readonly MatmulForm[] = ['NT', 'NN', 'TN'];

/** M × R × N (R summed). Every extent is odd or off a tile edge somewhere; the list stays cheap on SwiftShader. */
export const MATMUL_SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 17, 5],
  [63, 65, 17],
  [129, 127, 10],
  [65, 784, 129],
  [17, 4096, 3],
  [784, 3, 63],
];

/**
 * verify's quick run (`quick: true`): the shapes above that cross every tile edge and the long sum, without
 * the three largest products. On a software adapter most of verify's time is compiling the workgroup-memory
 * kernels, which the quick run still does: every kernel × form is still checked.
 */
export const QUICK_MATMUL_SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 17, 5],
  [63, 65, 17],
  [17, 4096, 3],
];

const label = ([M, R, N]: readonly number[]) => `${M}×${R}×${N}`;

function randomArray(n: number, rng: Random): Float32Array {
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = rng.uniform(-1, 1);
  return out;
}

interface Case {
  shape: MatmulShape;
  /** a Uint8Array operand is 8-bit pixels (x = b/255), read packed by the kernel */
  A: Float32Array | Uint8Array;
  B: Float32Array | Uint8Array;
  ref: Float64Array;
  /** Σ_r |A'(i,r)·B'(r,j)| per element: the scale of rounding error */
  scale: Float64Array;
}

/** Inputs and float64 references per form and shape, computed once and shared by every kernel. */
export function matmulCases(form: MatmulForm, shapes: readonly (readonly [number, number, number])[] = MATMUL_SHAPES): Case[] {
  return shapes.map(([M, R, N]) => {
    const shape = { M, N, R };
    const s = operandShapes(form, shape);
    const rng = new Random(M * 7919 + R * 31 + N);
    const A = randomArray(s.a[0] * s.a[1], rng);
    const B = randomArray(s.b[0] * s.b[1], rng);
    return { shape, A, B, ref: matmulReference(form, shape, A, B), scale: matmulReference(form, shape, A.map(Math.abs), B.map(Math.abs)) };
  });
}

/**
 * Cases whose input-batch operand is 8-bit pixels, as the first layer's batch of a byte data set reaches the
 * register-blocked kernels: A (X) in the forward NT form, B (X) in the weight gradient TN form.
 */
export function byteCases(form: 'NT' | 'TN', shapes: readonly (readonly [number, number, number])[] = MATMUL_SHAPES): Case[] {
  return matmulCases(form, shapes).map((c) => {
    const rng = new Random(c.shape.M * 31 + c.shape.R);
    const floats = form === 'NT' ? c.A : c.B;
    const bytes = Uint8Array.from(floats, () => Math.floor(rng.uniform(0, 256)));
    const x = Float32Array.from(bytes, (b) => UNORM8[b]);
    const [A, B] = form === 'NT' ? [x, c.B as Float32Array] : [c.A as Float32Array, x];
    const ref = matmulReference(form, c.shape, A, B);
    const scale = matmulReference(form, c.shape, A.map(Math.abs), B.map(Math.abs));
    return form === 'NT' ? { shape: c.shape, A: bytes, B, ref, scale } : { shape: c.shape, A, B: bytes, ref, scale };
  });
}

/** One kernel in one form over the cases. */
export async function checkMatmul(ctx: GpuContext, kernels: Kernels, kernel: MatmulKernel, form: MatmulForm, cases: Case[]): Promise<CheckResult> {
  const worst = new Worst();
  const mem = new GpuMemory(ctx.device);
  try {
    for (const c of cases) {
      const mm = await GpuMatmul.create(mem, kernels, kernel, form, c.shape, c.A, c.B);
      const C = await mm.run();
      const { M, N, R } = c.shape;
      for (let k = 0; k < c.ref.length; k++) {
        const err = Math.abs(C[k] - c.ref[k]);
        const scale = c.scale[k] || 1e-30;
        const ok = worst.see(err / scale, productBound(R, 1), () => `${label([M, R, N])} C[${Math.floor(k / N)}][${k % N}] = ${C[k]}, expected ${c.ref[k]}`);
        if (!ok) break;
      }
      mem.destroyAll();
    }
  } finally {
    mem.destroyAll();
  }
  const bytes = cases.some((c) => c.A instanceof Uint8Array || c.B instanceof Uint8Array) ? `, 8-bit ${form === 'NT' ? 'A' : 'B'}` : '';
  return worst.result(`matmul ${kernel} ${form} (plain${bytes})`, kernel, cases.map((c) => label([c.shape.M, c.shape.R, c.shape.N])), `|err|/Σ|a·b| ≤ 4·R·2⁻²³: ${PRODUCT_WHY}`);
}

/** Every kernel this adapter can run × every form; `each` hears of each group as it finishes (progress). */
export async function checkMatmuls(
  ctx: GpuContext,
  only?: readonly MatmulKernel[],
  shapes: readonly (readonly [number, number, number])[] = MATMUL_SHAPES,
  each?: (r: CheckResult) => void,
): Promise<CheckResult[]> {
  const kernels = new Kernels(ctx.device);
  const out: CheckResult[] = [];
  for (const form of FORMS) {
    const cases = matmulCases(form, shapes);
    for (const kernel of MATMUL_KERNELS) {
      if (only && !only.includes(kernel)) continue;
      if (!matmulAvailable(kernel, ctx.features)) continue;
      const r = await checkMatmul(ctx, kernels, kernel, form, cases);
      out.push(r);
      each?.(r);
    }
  }
  // the register-blocked kernels' 8-bit operands (the first layer's batch of a byte data set)
  for (const form of ['NT', 'TN'] as const) {
    const cases = byteCases(form, shapes);
    for (const kernel of BYTE_OPERAND_KERNELS) {
      if ((only && !only.includes(kernel)) || !matmulAvailable(kernel, ctx.features)) continue;
      const r = await checkMatmul(ctx, kernels, kernel, form, cases);
      out.push(r);
      each?.(r);
    }
  }
  return out;
}
