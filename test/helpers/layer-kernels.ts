/**
 * Runs one layer kind's dispatches (src/backends/webgpu/<kind>.ts) on hand-made buffers, for the kernel tests:
 * batches in the padded layout (rows × ld(width)), a Step record, parameter buffers, one submit per pass.
 */
import { Kernels } from '../../src/backends/webgpu/kernels.ts';
import { GpuMemory, ld, pad, unpad } from '../../src/backends/webgpu/memory.ts';
import type { GpuContext } from '../../src/backends/webgpu/device.ts';
import type { Dispatch, LayerContext } from '../../src/backends/webgpu/layer-step.ts';
import type { LayerBuffers } from '../../src/backends/webgpu/params.ts';

export class KernelHarness {
  readonly mem: GpuMemory;
  readonly kernels: Kernels;

  constructor(readonly gpu: GpuContext) {
    this.mem = new GpuMemory(gpu.device);
    this.kernels = new Kernels(gpu.device);
  }

  /** A rows × width batch (host row-major) as the padded GPU layout. */
  batch(label: string, data: Float32Array, rows: number, width: number): GPUBuffer {
    return this.mem.upload(label, pad(data, rows, width));
  }

  empty(label: string, rows: number, width: number): GPUBuffer {
    return this.mem.storage(label, rows * ld(width) * 4);
  }

  /** The Step record: `rows` patterns, update count t (this step's update is the t-th). */
  step(rows: number, t: number): GPUBuffer {
    return this.mem.upload('step', new Uint32Array([0, rows, t, rows, rows, 1, 0, 0]));
  }

  /** Parameter buffers: W as rows × ld(cols), b, zeroed optimizer state of the same sizes. */
  params(W: Float32Array, rows: number, cols: number, b: Float32Array | null): LayerBuffers {
    const wb = rows * ld(cols) * 4;
    return {
      W: this.mem.upload('W', pad(W, rows, cols)),
      b: b ? this.mem.upload('b', b) : null,
      mW: this.mem.storage('mW', wb),
      vW: this.mem.storage('vW', wb),
      mb: this.mem.storage('mb', Math.max(16, (b?.length ?? 0) * 4)),
      vb: this.mem.storage('vb', Math.max(16, (b?.length ?? 0) * 4)),
    };
  }

  /** Optimizer hyper-parameters (optimizer.wgsl Hyper). */
  hyper(lr: number, l2 = 0, momentum = 0.9): GPUBuffer {
    return this.mem.uniform('hyper', new Float32Array([lr, momentum, 0.9, 0.999, 1e-7, l2, 0, 0]));
  }

  context(parts: Omit<LayerContext, 'device' | 'uniform' | 'dummy'>): LayerContext {
    return {
      ...parts,
      device: this.gpu.device,
      uniform: (label, words) => this.mem.uniform(label, words instanceof Uint32Array ? words : new Uint32Array(words)),
      dummy: this.mem.storage('dummy', 16),
    };
  }

  /** Encodes the dispatches in one pass and submits. */
  run(dispatches: Dispatch[]): void {
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const d of dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.size[0], d.size[1], d.size[2] ?? 1);
    }
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
  }

  /** Reads a rows × width batch back (unpadded). */
  async read(buffer: GPUBuffer, rows: number, width: number): Promise<Float32Array> {
    const [raw] = await this.mem.readMany([{ buffer, bytes: rows * ld(width) * 4 }]);
    return unpad(raw, rows, width);
  }

  dispose(): void {
    this.mem.destroyAll();
  }
}
