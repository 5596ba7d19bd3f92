/**
 * Numeric health of a session's parameters on the GPU, and the snapshot that makes a bad tick undoable:
 *
 *   snapshot()  copies every W, b and optimizer-state buffer aside (queued before the tick's steps)
 *   encode()    appends shaders/health.wgsl over every W and b to the tick's last command buffer, so the
 *               per-layer flags come back in the same readback as the metrics
 *   restore()   copies the snapshot back (rollback of the tick)
 *
 * Copies are queue-ordered GPU work, never a host round trip. The snapshot doubles the parameter memory.
 */
import { hasParams } from '../../backend.ts';
import type { NetworkSpec } from '../../backend.ts';
import { bindGroup } from './kernels.ts';
import type { GpuMemory } from './memory.ts';
import type { ParamBuffers } from './params.ts';

/** at most this many workgroups per check: enough to keep a GPU busy, few atomics */
const MAX_GROUPS = 64;

export class ParamHealth {
  readonly flags: GPUBuffer;
  private readonly checks: { group: GPUBindGroup; groups: number }[] = [];
  private readonly pairs: { live: GPUBuffer; copy: GPUBuffer }[] = [];
  private readonly owned: GPUBuffer[] = [];

  constructor(
    private readonly mem: GpuMemory,
    private readonly spec: NetworkSpec,
    params: ParamBuffers,
    private readonly pipeline: GPUComputePipeline,
  ) {
    const own = (b: GPUBuffer) => (this.owned.push(b), b);
    this.flags = own(mem.storage('non-finite flags per layer', 4 * spec.layers.length));
    params.layers.forEach((p, l) => {
      // pooling, flatten and dropout have no parameters (their W is a dummy no kernel touches)
      if (!hasParams(spec.layers[l])) return;
      for (const values of [p.W, p.b]) {
        if (!values) continue;
        const count = values.size / 4;
        const target = own(mem.uniform(`health ${l} target`, new Uint32Array([count, l, 0, 0])));
        const group = bindGroup(mem.device, pipeline, `health ${l}`, { 0: values, 1: this.flags, 2: target });
        this.checks.push({ group, groups: Math.min(MAX_GROUPS, Math.ceil(count / 256)) });
      }
      for (const live of [p.W, p.b, p.mW, p.vW, p.mb, p.vb]) {
        if (live) this.pairs.push({ live, copy: own(mem.storage(`snapshot of ${live.label}`, live.size)) });
      }
    });
  }

  private copyAll(back: boolean): void {
    const enc = this.mem.device.createCommandEncoder({ label: back ? 'restore snapshot' : 'snapshot' });
    for (const { live, copy } of this.pairs) enc.copyBufferToBuffer(back ? copy : live, 0, back ? live : copy, 0, live.size);
    this.mem.device.queue.submit([enc.finish()]);
  }

  /** Queues a copy of every parameter and optimizer-state buffer (call before the tick's steps). */
  snapshot(): void {
    this.copyAll(false);
  }

  /** Queues the copy back: the parameters and optimizer state as they were at the last snapshot(). */
  restore(): void {
    this.copyAll(true);
  }

  /** Appends: clear the flags, then check every W and b. */
  encode(enc: GPUCommandEncoder): void {
    enc.clearBuffer(this.flags);
    const pass = enc.beginComputePass({ label: 'health' });
    pass.setPipeline(this.pipeline);
    for (const c of this.checks) {
      pass.setBindGroup(0, c.group);
      pass.dispatchWorkgroups(c.groups);
    }
    pass.end();
  }

  /** What readMany should copy back with the metrics. */
  get part(): { buffer: GPUBuffer; bytes: number } {
    return { buffer: this.flags, bytes: 4 * this.spec.layers.length };
  }

  /** The flagged layers, from the read-back flags. */
  badLayers(raw: Float32Array): number[] {
    const u = new Uint32Array(raw.buffer, raw.byteOffset, this.spec.layers.length);
    return Array.from(u.keys()).filter((l) => u[l] !== 0);
  }

  dispose(): void {
    for (const b of this.owned) this.mem.destroy(b);
  }
}
