/**
 * The conv2d forward autotuner: for each conv layer at the batch's row count, time the forward kernels
 * (conv2d.ts CONV_KERNELS: the reference 'direct' and the 'tiled' implicit GEMM) on the live device and keep
 * the faster, cached per adapter and shape beside the matmul answers (tuning-cache.ts), by the same race
 * (tuning-race.ts). As for matmuls, a software adapter does not time the kernel that stages tiles in
 * workgroup memory behind barriers: on SwiftShader it compiles for seconds and runs slower (measured: the
 * commit that added this file), so there the reference kernel is the only candidate.
 * The forward pass is the only conv product tuned: the input and filter gradients have one kernel each.
 */
import type { Conv2dSpec } from '../../backend.ts';
import { CONV_KERNELS, convForwardGrid, convForwardPipeline, convTerms, windowWords } from './conv2d.ts';
import type { ConvKernel } from './conv2d.ts';
import type { AdapterReport } from './device.ts';
import { bindGroup } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { GpuMemory, ld } from './memory.ts';
import { timePass } from './timing.ts';
import { race } from './tuning-race.ts';
import { tuningCache } from './tuning-cache.ts';
import type { TunedEntry } from './tuning-cache.ts';
import { adapterKey } from './tuner.ts';

/** Whether a conv kernel stages tiles in workgroup memory (not timed on a software adapter). */
export const CONV_USES_WORKGROUP_MEMORY: Record<ConvKernel, boolean> = { direct: false, tiled: true };

/** "conv 3×28×28 → 32×26×26 k3×3 s1×1 p0,0 rows 128": a conv forward's shape in cache keys and reports. */
export function convShapeKey(layer: Conv2dSpec, rows: number): string {
  return `conv ${layer.inShape.join('×')} → ${layer.outShape.join('×')} k${layer.kernel.join('×')} s${layer.stride.join('×')} p${layer.padTop},${layer.padLeft} rows ${rows}`;
}

/** Times one forward kernel on a layer's shape: a pass of `reps` dispatches over zeroed buffers. */
export async function openConvForward(device: GPUDevice, kernels: Kernels, layer: Conv2dSpec, rows: number, kernel: ConvKernel) {
  const mem = new GpuMemory(device);
  // linear and no bias: the epilogue adds the same work to every kernel, so it does not change the ranking
  const plain: Conv2dSpec = { ...layer, activation: 'linear', bias: false };
  const pipeline = await convForwardPipeline(kernels, plain, kernel, false);
  const grid = convForwardGrid(kernel, layer, rows);
  const group = bindGroup(device, pipeline, `time conv ${kernel}`, {
    0: mem.storage('x', rows * ld(layer.inputs) * 4),
    1: mem.storage('W', layer.filters * ld(convTerms(layer)) * 4),
    2: mem.uniform('window', windowWords(layer, grid.rowsY)),
    3: mem.upload('step', new Uint32Array([0, rows, 1, rows, rows, 1, 0, 0])),
    4: mem.storage('unused bias', 16),
    5: mem.storage('V', rows * ld(layer.units) * 4),
    6: mem.storage('unused Y', 16),
  });
  const pass = async (reps: number) =>
    (
      await timePass(device, reps, (p, n) => {
        p.setPipeline(pipeline);
        p.setBindGroup(0, group);
        for (let k = 0; k < n; k++) p.dispatchWorkgroups(...grid.size);
      })
    ).ms;
  return { once: () => pass(1), pass, close: () => mem.destroyAll() };
}

export class ConvTuner {
  private readonly pending = new Map<string, Promise<TunedEntry<ConvKernel>>>();
  readonly candidates: ConvKernel[];

  constructor(
    private readonly device: GPUDevice,
    private readonly kernels: Kernels,
    private readonly adapter: AdapterReport,
  ) {
    this.candidates = CONV_KERNELS.filter((k) => !(adapter.isFallback && CONV_USES_WORKGROUP_MEMORY[k]));
  }

  /** The tuned forward kernel for a conv layer on `rows` rows: cached, or measured now (and cached). */
  choose(layer: Conv2dSpec, rows: number): Promise<TunedEntry<ConvKernel>> {
    const key = `${adapterKey(this.adapter)}|${convShapeKey(layer, rows)}|${this.candidates.join(',')}`;
    let p = this.pending.get(key);
    if (!p) {
      p = (async () => {
        const hit = await tuningCache.get<ConvKernel>(key);
        if (hit && CONV_KERNELS.includes(hit.kernel)) return hit;
        const entry = await this.measure(layer, rows);
        await tuningCache.set([[key, entry]]);
        return entry;
      })();
      this.pending.set(key, p);
      p.catch(() => this.pending.delete(key));
    }
    return p;
  }

  private async measure(layer: Conv2dSpec, rows: number): Promise<TunedEntry<ConvKernel>> {
    const timing: 'timestamp' | 'wall' = this.device.features.has('timestamp-query') ? 'timestamp' : 'wall';
    const { best, ms } = await race(this.candidates, (k) => openConvForward(this.device, this.kernels, layer, rows, k), { budgetMs: 4, maxReps: 8, passes: 3 });
    return { shape: convShapeKey(layer, rows), kernel: best, ms, timing };
  }
}
