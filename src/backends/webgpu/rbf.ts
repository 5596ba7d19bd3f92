/**
 * Radial units on the GPU: one matmul G = X·Cᵀ (any of the three kernels, FORM NT) with the rbf epilogue
 * (shaders/epilogue_rbf.wgsl) turning ‖x‖² − 2·G + ‖c‖² into φ. The norms are computed on the host (one
 * pass over the data; ‖c‖² with 1/(2σ²) per centre). Rows are processed in chunks that fit a storage
 * binding, so any number of patterns works; each chunk is uploaded, dispatched, read back and freed.
 */
import { bindGroup, matmulTile } from './kernels.ts';
import type { Kernels, MatmulKernel } from './kernels.ts';
import { FLOAT, ld, pad, unpad } from './memory.ts';
import type { GpuMemory } from './memory.ts';
import { BASIS_ID } from '../cpu/rbf.ts';
import type { RadialBasis } from '../cpu/rbf.ts';
import type { Matrix } from '../../tensor.ts';

export async function rbfFeaturesGpu(
  mem: GpuMemory,
  kernels: Kernels,
  kernel: MatmulKernel,
  x: Matrix,
  centers: Float32Array,
  sigma2: ArrayLike<number>,
  basis: RadialBasis,
  /** at most this many rows per chunk (default: what fits a quarter of a storage binding) */
  chunkRows = Infinity,
): Promise<Float32Array> {
  const D = x.cols;
  const K = centers.length / D;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`rbf (webgpu): centres hold ${centers.length} values, not a multiple of ${D} inputs`);
  const pipeline = await kernels.matmul(kernel, 'NT', 'rbf', { BASIS: BASIS_ID[basis] });
  const centre = new Float32Array(2 * K);
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += centers[j * D + i] ** 2;
    centre[2 * j] = s;
    centre[2 * j + 1] = basis === 'gaussian' ? 1 / (2 * sigma2[j]) : 0;
  }
  const C = mem.upload('rbf centres', pad(centers, K, D));
  const cBuf = mem.upload('rbf centre norms', centre);
  const dims = mem.uniform('rbf dims', new Uint32Array(8));
  const step = mem.upload('rbf step', new Uint32Array(8));
  const out = new Float32Array(x.rows * K);
  // the larger of a chunk's X and Φ must fit one binding; a quarter of it leaves room on small devices
  const limit = Math.min(mem.device.limits.maxStorageBufferBindingSize, mem.device.limits.maxBufferSize) / 4;
  const chunk = Math.max(1, Math.min(x.rows, chunkRows, Math.floor(limit / (FLOAT * Math.max(ld(D), ld(K))))));
  const tile = matmulTile(kernel);
  try {
    for (let r0 = 0; r0 < x.rows; r0 += chunk) {
      const rows = Math.min(chunk, x.rows - r0);
      const xs = x.data.subarray(r0 * D, (r0 + rows) * D);
      const norms = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let i = 0; i < D; i++) s += xs[r * D + i] ** 2;
        norms[r] = s;
      }
      mem.device.queue.writeBuffer(dims, 0, new Uint32Array([rows, K, D, ld(D), ld(D), ld(K), 0, 0]));
      const X = mem.upload('rbf x', pad(xs, rows, D));
      const xNorm = mem.upload('rbf x norms', norms);
      const Phi = mem.storage('rbf phi', rows * ld(K) * FLOAT);
      try {
        const group = bindGroup(mem.device, pipeline, 'rbf', { 0: X, 1: C, 2: dims, 3: step, 4: xNorm, 5: cBuf, 6: Phi });
        const enc = mem.device.createCommandEncoder({ label: 'rbf' });
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(Math.ceil(K / tile.cols), Math.ceil(rows / tile.rows));
        pass.end();
        const [raw] = await mem.readMany([{ buffer: Phi, bytes: rows * ld(K) * FLOAT }], enc);
        out.set(unpad(raw, rows, K), r0 * K);
      } finally {
        mem.destroy(X);
        mem.destroy(xNorm);
        mem.destroy(Phi);
      }
    }
  } finally {
    mem.destroy(C);
    mem.destroy(cBuf);
    mem.destroy(dims);
    mem.destroy(step);
  }
  return out;
}
