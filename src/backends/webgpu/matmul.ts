/**
 * A stand-alone matrix product on the GPU (plain epilogue), for the kernel tests and the benchmark.
 * The training step uses the same kernels through plan.ts with fused epilogues instead.
 *
 * Logical shapes: C (M × N) = Σ_r A'(i, r)·B'(r, j) over R terms, where the host arrays are row-major
 *   NT: A is M × R, B is N × R      NN: A is M × R, B is R × N      TN: A is R × M, B is R × N
 */
import { bindGroup, matmulTile } from './kernels.ts';
import type { Kernels, MatmulForm, MatmulKernel } from './kernels.ts';
import { FLOAT, ld, pad, unpad } from './memory.ts';
import type { GpuMemory } from './memory.ts';

export interface MatmulShape {
  M: number;
  N: number;
  R: number;
}

/** Rows and columns of the host arrays A and B for a form. */
export function operandShapes(form: MatmulForm, { M, N, R }: MatmulShape): { a: [number, number]; b: [number, number] } {
  return {
    a: form === 'TN' ? [R, M] : [M, R],
    b: form === 'NT' ? [N, R] : [R, N],
  };
}

/** Buffers, pipeline and bind group for one product, created once and dispatched any number of times. */
export class GpuMatmul {
  private constructor(
    private readonly mem: GpuMemory,
    readonly shape: MatmulShape,
    private readonly pipeline: GPUComputePipeline,
    private readonly group: GPUBindGroup,
    private readonly C: GPUBuffer,
    private readonly workgroups: [number, number],
  ) {}

  /**
   * A Uint8Array operand is 8-bit pixels (x = b/255): A in the NT form, B in the TN form, as the first layer's
   * input batch is; the kernel then reads them packed (Kernels.matmul's `u8` operands).
   */
  static async create(
    mem: GpuMemory,
    kernels: Kernels,
    kernel: MatmulKernel,
    form: MatmulForm,
    shape: MatmulShape,
    A: Float32Array | Uint8Array,
    B: Float32Array | Uint8Array,
  ): Promise<GpuMatmul> {
    const { M, N, R } = shape;
    const s = operandShapes(form, shape);
    if (A.length !== s.a[0] * s.a[1] || B.length !== s.b[0] * s.b[1]) {
      throw new RangeError(`matmul ${form} ${M}×${R}×${N}: A must be ${s.a.join('×')}, B ${s.b.join('×')}`);
    }
    const bytes = A instanceof Uint8Array || B instanceof Uint8Array;
    const pipeline = await kernels.matmul(kernel, form, 'plain', {}, bytes ? 'u8' : 'f32');
    const operand = (x: Float32Array | Uint8Array, [rows, cols]: [number, number]) => (x instanceof Uint8Array ? padBytes(x, rows, cols) : pad(x, rows, cols));
    const a = mem.upload('matmul A', operand(A, s.a));
    const b = mem.upload('matmul B', operand(B, s.b));
    const C = mem.storage('matmul C', M * ld(N) * FLOAT);
    const dims = mem.uniform('matmul dims', new Uint32Array([M, N, R, ld(s.a[1]), ld(s.b[1]), ld(N), 0, 0]));
    const step = mem.upload('matmul step', new Uint32Array(8));
    const group = bindGroup(mem.device, pipeline, `matmul ${kernel} ${form}`, { 0: a, 1: b, 2: dims, 3: step, 4: C });
    const tile = matmulTile(kernel);
    return new GpuMatmul(mem, shape, pipeline, group, C, [Math.ceil(N / tile.cols), Math.ceil(M / tile.rows)]);
  }

  /** Encodes `times` dispatches of the product into a pass. */
  encode(pass: GPUComputePassEncoder, times = 1): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group);
    for (let k = 0; k < times; k++) pass.dispatchWorkgroups(this.workgroups[0], this.workgroups[1]);
  }

  /** Runs once and reads C back (M × N). */
  async run(): Promise<Float32Array> {
    const enc = this.mem.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    this.encode(pass);
    pass.end();
    const bytes = this.shape.M * ld(this.shape.N) * FLOAT;
    const [raw] = await this.mem.readMany([{ buffer: this.C, bytes }], enc);
    return unpad(raw, this.shape.M, this.shape.N);
  }
}

/** Rows of bytes padded with zeros to ld(cols) bytes (a whole number of u32 words), as the gather writes them. */
function padBytes(src: Uint8Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * ld(cols));
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * cols, (r + 1) * cols), r * ld(cols));
  return out;
}

/** C = A'·B' on the CPU in float64, the reference for the kernel tests. */
export function matmulReference(form: MatmulForm, { M, N, R }: MatmulShape, A: Float32Array, B: Float32Array): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let r = 0; r < R; r++) {
        const a = form === 'TN' ? A[r * M + i] : A[i * R + r];
        const b = form === 'NT' ? B[j * R + r] : B[r * N + j];
        s += a * b;
      }
      C[i * N + j] = s;
    }
  }
  return C;
}
