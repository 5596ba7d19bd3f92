/**
 * A step plan: the activation buffers for batches of up to `capacity` rows (X, targets D, and per layer
 * V, Y and δ), the Step record and metrics accumulator, and every bind group, all created once. Encoding
 * a step is then only setPipeline/setBindGroup/dispatch, in the lecture's order:
 *
 *   gather → forward (every layer) → output delta + metrics → backprop (every hidden δ, pre-update W)
 *          → updateWeights (every W and b) → advance the Step record
 *
 * Dense layers' dispatches are built here; every other kind's come from its own file (conv2d.ts, pool2d.ts,
 * dropout.ts, flatten.ts), and this plan only sequences them. Layers without an activation share buffers:
 * pooling and dropout keep V = Y, and a flatten (or a dropout outside training) is its input's very buffer.
 *
 * Training and inference each get a plan, so evaluate/predict never overwrite what lastStep() reads.
 */
import { isDense } from '../../backend.ts';
import type { LayerSpec, NetworkSpec } from '../../backend.ts';
import { conv2dDispatches } from './conv2d.ts';
import { dropoutDispatches } from './dropout.ts';
import { flattenDispatches } from './flatten.ts';
import type { Dispatch, LayerContext, LayerDispatches } from './layer-step.ts';
import { pool2dDispatches } from './pool2d.ts';
import { bindGroup, matmulTile } from './kernels.ts';
import type { MatmulKernel } from './kernels.ts';
import { FLOAT, ld } from './memory.ts';
import type { GpuMemory } from './memory.ts';
import type { ParamBuffers } from './params.ts';
import type { GatherVariant, NetworkPipelines, PackedPipelines } from './pipelines.ts';

const isBytes = (variant: GatherVariant) => variant === 'u8' || variant === 'u8+labels';
import { UNORM8 } from '../upload.ts';

/** What a gather needs to know of a data set (or of one streamed chunk of it). */
export interface ResidentData {
  X: GPUBuffer;
  /** null for prediction-only data */
  D: GPUBuffer | null;
  /** the data's format: which gather kernel reads it */
  variant: GatherVariant;
}

/** Workgroups per dispatch dimension WebGPU guarantees (maxComputeWorkgroupsPerDimension's default). */
const MAX_GROUPS = 65535;
/**
 * Rows one step can hold: the matmuls cover at least 8 batch rows per workgroup (the naive kernel's tile)
 * and the gather spreads rows over two dispatch dimensions, so 8 × 65,535.
 */
export const MAX_BATCH_ROWS = 8 * MAX_GROUPS;

/**
 * The plan's buffer sizes, each checked against the device limits: throws BufferLimitError naming the first
 * that cannot exist, so nothing is created (or tuned, or dispatched) when one is too big.
 */
export function checkPlanSizes(mem: GpuMemory, spec: NetworkSpec, capacity: number, training: boolean): [string, number][] {
  const layers = spec.layers;
  const last = layers[layers.length - 1];
  const what = training ? 'train' : 'infer';
  const sizes: [string, number][] = [
    [`${what} batch inputs X (${capacity}×${layers[0].inputs})`, capacity * ld(layers[0].inputs) * FLOAT],
    [`${what} batch targets D (${capacity}×${last.units})`, capacity * ld(last.units) * FLOAT],
  ];
  layers.forEach((layer, l) => sizes.push([`${what} layer ${l} activations V/Y/δ (${capacity}×${layer.units})`, capacity * ld(layer.units) * FLOAT]));
  for (const [label, bytes] of sizes) mem.check(label, bytes);
  return sizes;
}

/** A layer whose output is its input's buffer: flatten always, dropout outside training. */
const aliasesInput = (layer: LayerSpec, training: boolean) => layer.kind === 'flatten' || (layer.kind === 'dropout' && !training);
/** A layer without an activation whose V is its Y (one buffer): pooling, and dropout in training. */
const vIsY = (layer: LayerSpec) => layer.kind === 'maxPool2d' || layer.kind === 'avgPool2d' || layer.kind === 'dropout';

export class StepPlan {
  readonly step: GPUBuffer;
  readonly accum: GPUBuffer;
  readonly X: GPUBuffer;
  readonly D: GPUBuffer;
  readonly V: GPUBuffer[];
  readonly Y: GPUBuffer[];
  /** empty for an inference plan */
  readonly delta: GPUBuffer[];
  private readonly forward: Dispatch[] = [];
  private readonly outputDelta: Dispatch;
  private readonly backprop: Dispatch[] = [];
  private readonly update: Dispatch[] = [];
  /**
   * The batch kept as 8-bit pixels, four to a word, with layer 0's forward and weight-gradient dispatches
   * that read it and the gathers that write it: made by keepBytesFor when a byte data set first comes, so a
   * network trained on float32 data never compiles them (pipelines.ts packedInputs).
   */
  private bytes: { Xq: GPUBuffer; forward: Dispatch; update: Dispatch | null; gather: PackedPipelines['gather'] } | null = null;
  private readonly dummy: GPUBuffer;
  private readonly gatherShape: GPUBuffer[];
  private readonly unorm: GPUBuffer;
  private readonly gathers = new Map<ResidentData, GPUBindGroup>();
  private readonly buffers: GPUBuffer[] = [];

  constructor(
    private readonly mem: GpuMemory,
    private readonly spec: NetworkSpec,
    private readonly pipes: NetworkPipelines,
    private readonly params: ParamBuffers,
    readonly capacity: number,
    readonly training: boolean,
  ) {
    if (capacity > MAX_BATCH_ROWS) {
      throw new RangeError(`webgpu: a batch of ${capacity} rows is above the ${MAX_BATCH_ROWS} rows one step can hold`);
    }
    const layers = spec.layers;
    const L = layers.length;
    const last = layers[L - 1];
    const what = training ? 'train' : 'infer';
    const sizes = checkPlanSizes(mem, spec, capacity, training);

    const own = (b: GPUBuffer) => this.own(b);
    const uniform = (label: string, words: number[]) => this.uniform(label, words);
    this.step = own(mem.storage(`${what} step record`, 32));
    this.accum = own(mem.storage(`${what} metrics`, 16));
    this.X = own(mem.storage(sizes[0][0], sizes[0][1]));
    this.D = own(mem.storage(sizes[1][0], sizes[1][1]));
    this.V = [];
    this.Y = [];
    layers.forEach((layer, l) => {
      const input = l === 0 ? this.X : this.Y[l - 1];
      if (aliasesInput(layer, training)) {
        this.V.push(input);
        this.Y.push(input);
        return;
      }
      const V = own(mem.storage(`${what} layer ${l} V`, sizes[l + 2][1]));
      this.V.push(V);
      this.Y.push(vIsY(layer) ? V : own(mem.storage(`${what} layer ${l} Y`, sizes[l + 2][1])));
    });
    this.delta = training ? layers.map((_, l) => own(mem.storage(`${what} layer ${l} δ`, sizes[l + 2][1]))) : [];
    const dummy = (this.dummy = own(mem.storage('unused', 16)));
    const input = (l: number) => (l === 0 ? this.X : this.Y[l - 1]);
    const grid = (kernel: MatmulKernel, rows: number, cols: number) => this.grid(kernel, rows, cols);
    const device = mem.device;

    // every other kind's dispatches, from its own file
    const kinds = layers.map((layer, l) => (isDense(layer) ? null : this.kindDispatches(l, input(l))));
    layers.forEach((layer, l) => {
      if (isDense(layer)) this.forward.push(this.forwardDispatch(l, pipes.forward[l]!, input(l)));
      else this.forward.push(...kinds[l]!.forward);
    });
    if (last.activation === 'softmax') {
      const shape = uniform('softmax shape', [last.units, ld(last.units), 0, 0]);
      const group = bindGroup(device, pipes.softmax, 'softmax', { 0: this.V[L - 1], 1: this.Y[L - 1], 2: shape, 3: this.step });
      this.forward.push({ pipeline: pipes.softmax, group, size: [Math.ceil(capacity / 64), 1] });
    }
    const outShape = uniform('output shape', [last.units, ld(last.units), 0, 0]);
    const outPipe = training ? pipes.outputDelta : pipes.metrics;
    this.outputDelta = {
      pipeline: outPipe,
      group: bindGroup(device, outPipe, 'output delta', {
        0: this.V[L - 1], 1: this.Y[L - 1], 2: this.D, 3: training ? this.delta[L - 1] : dummy, 4: outShape, 5: this.step, 6: this.accum,
      }),
      size: [1, 1],
    };
    this.gatherShape = [
      uniform('gather shape', [ld(layers[0].inputs) / 4, ld(last.units) / 4, Math.min(capacity, MAX_GROUPS), capacity]),
      uniform('gather shape (no targets)', [ld(layers[0].inputs) / 4, 0, Math.min(capacity, MAX_GROUPS), capacity]),
    ];
    this.unorm = own(mem.upload('byte → [0, 1] table', UNORM8));
    if (!training) return;

    for (let l = L - 1; l >= 1; l--) {
      const layer = layers[l];
      if (!isDense(layer)) {
        this.backprop.push(...kinds[l]!.backprop);
        continue;
      }
      const pipeline = pipes.backprop[l]!;
      const dims = uniform(`backprop ${l} dims`, [capacity, layer.inputs, layer.units, ld(layer.units), ld(layer.inputs), ld(layer.inputs), 1, 0]);
      const group = bindGroup(device, pipeline, `backprop ${l}`, {
        0: this.delta[l], 1: params.layers[l].W, 2: dims, 3: this.step, 4: this.V[l - 1], 5: this.Y[l - 1], 6: this.delta[l - 1],
      });
      this.backprop.push({ pipeline, group, size: grid(pipes.choice.backprop[l], capacity, layer.inputs) });
    }
    layers.forEach((layer, l) => {
      const p = params.layers[l];
      if (!isDense(layer)) {
        this.update.push(...kinds[l]!.update);
        return;
      }
      this.update.push(this.updateDispatch(l, pipes.update[l]!, input(l)));
      if (p.b) {
        const shape = uniform(`bias ${l} shape`, [layer.units, ld(layer.units), 0, 0]);
        const bg = bindGroup(device, pipes.bias, `update b ${l}`, {
          0: this.delta[l], 1: p.b, 2: p.mb, 3: p.vb, 4: shape, 5: this.step, 7: params.hyper,
        });
        this.update.push({ pipeline: pipes.bias, group: bg, size: [Math.ceil(layer.units / 64), 1] });
      }
    });
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.buffers.push(b);
    return b;
  }

  private uniform(label: string, words: number[]): GPUBuffer {
    return this.own(this.mem.uniform(label, new Uint32Array(words)));
  }

  /** The dispatches of layer l, of a kind other than dense, from its kind's file. */
  private kindDispatches(l: number, input: GPUBuffer): LayerDispatches {
    const layer = this.spec.layers[l];
    const pipes = this.pipes.kinds[l]!;
    const below = this.training && l > 0 ? { V: this.V[l - 1], Y: this.Y[l - 1], delta: this.delta[l - 1] } : null;
    const ctx: LayerContext = {
      device: this.mem.device,
      uniform: (label, words) => this.uniform(label, Array.from(words)),
      capacity: this.capacity,
      training: this.training,
      step: this.step,
      input,
      V: this.V[l],
      Y: this.Y[l],
      delta: this.training ? this.delta[l] : null,
      below,
      params: this.params.layers[l],
      hyper: this.params.hyper,
      dummy: this.dummy,
    };
    switch (layer.kind) {
      case 'conv2d':
        return conv2dDispatches(ctx, layer, pipes, this.pipes.choice.conv[l], l);
      case 'maxPool2d':
      case 'avgPool2d':
        return pool2dDispatches(ctx, layer, pipes, l);
      case 'dropout':
        return dropoutDispatches(ctx, layer.units, layer, pipes, l);
      case 'flatten':
        return flattenDispatches(ctx, layer, pipes, l);
      default:
        throw new Error(`webgpu: no dispatches for layer kind '${String(layer.kind)}'`);
    }
  }

  /** a product's workgroup grid, which follows the kernel chosen (tuned or forced) for that layer and form */
  private grid(kernel: MatmulKernel, rows: number, cols: number): [number, number] {
    const tile = matmulTile(kernel);
    return [Math.ceil(cols / tile.cols), Math.ceil(rows / tile.rows)];
  }

  /** layer l's forward product V = X·Wᵀ + b, Y = f(V), reading its input from X */
  private forwardDispatch(l: number, pipeline: GPUComputePipeline, X: GPUBuffer): Dispatch {
    const layer = this.spec.layers[l];
    const p = this.params.layers[l];
    const dims = this.uniform(`forward ${l} dims`, [this.capacity, layer.units, layer.inputs, ld(layer.inputs), ld(layer.inputs), ld(layer.units), 1, 0]);
    const group = bindGroup(this.mem.device, pipeline, `forward ${l}`, {
      0: X, 1: p.W, 2: dims, 3: this.step, 4: p.b ?? this.dummy, 5: this.V[l], 6: this.Y[l],
    });
    return { pipeline, group, size: this.grid(this.pipes.choice.forward[l], this.capacity, layer.units) };
  }

  /** layer l's weight update (fused gradient δᵀ·X + optimizer), reading its input from X */
  private updateDispatch(l: number, pipeline: GPUComputePipeline, X: GPUBuffer): Dispatch {
    const layer = this.spec.layers[l];
    const p = this.params.layers[l];
    const dims = this.uniform(`update ${l} dims`, [layer.units, layer.inputs, this.capacity, ld(layer.units), ld(layer.inputs), ld(layer.inputs), 2, 0]);
    const group = bindGroup(this.mem.device, pipeline, `update W ${l}`, {
      0: this.delta[l], 1: X, 2: dims, 3: this.step, 4: p.W, 5: p.mW, 6: p.vW, 7: this.params.hyper,
    });
    return { pipeline, group, size: this.grid(this.pipes.choice.update[l], layer.units, layer.inputs) };
  }

  /**
   * Before a data set of this format is encoded: for 8-bit data, where the pipelines can (packedInputs),
   * compile the byte forms of layer 0's products and gathers and make the byte batch, once per plan.
   */
  async keepBytesFor(variant: GatherVariant): Promise<void> {
    if (this.bytes || !this.pipes.packed || !isBytes(variant)) return;
    const pk = await this.pipes.packed();
    if (this.bytes) return; // another call finished first
    const what = this.training ? 'train' : 'infer';
    const inputs = this.spec.layers[0].inputs;
    const Xq = this.own(this.mem.storage(`${what} batch inputs as bytes (${this.capacity}×${inputs})`, this.capacity * ld(inputs)));
    const forward = this.forwardDispatch(0, pk.forward, Xq);
    const update = this.training ? this.updateDispatch(0, pk.update, Xq) : null;
    this.bytes = { Xq, forward, update, gather: pk.gather };
  }

  /** whether batches of 8-bit data reach the first layer as bytes (after keepBytesFor) */
  get keepsBytes(): boolean {
    return this.bytes !== null;
  }

  /** the matmul kernel of each product in this plan (tuned or forced) */
  get choice(): NetworkPipelines['choice'] {
    return this.pipes.choice;
  }

  private advanceGroup?: GPUBindGroup;

  /** The gather bind group for a data set (and, for training, the order buffer), cached. */
  private gatherGroup(data: ResidentData, order: GPUBuffer): GPUBindGroup {
    let g = this.gathers.get(data);
    if (!g) {
      g = bindGroup(this.mem.device, this.gatherPipeline(data), `gather (${data.variant}${this.packs(data) ? ', packed' : ''})`, {
        0: data.X, 1: data.D ?? data.X, 2: order, 3: this.X, 4: this.D, 5: this.gatherShape[data.D ? 0 : 1], 6: this.step, 7: this.unorm,
        8: this.packs(data) ? this.bytes!.Xq : this.dummy,
      });
      this.gathers.set(data, g);
    }
    return g;
  }

  /** Whether batches of this data set reach the first layer as bytes (Xq) rather than float32 (X). */
  private packs(data: ResidentData): boolean {
    return this.bytes !== null && isBytes(data.variant);
  }

  private gatherPipeline(data: ResidentData): GPUComputePipeline {
    return this.packs(data) ? this.bytes!.gather[data.variant as 'u8' | 'u8+labels'] : this.pipes.gather[data.variant];
  }

  /** Forget cached gather groups (a data set was disposed, or the order buffer was replaced). */
  forget(data?: ResidentData): void {
    if (data) this.gathers.delete(data);
    else this.gathers.clear();
  }

  private run(pass: GPUComputePassEncoder, d: Dispatch): void {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.group);
    pass.dispatchWorkgroups(d.size[0], d.size[1], d.size[2] ?? 1);
  }

  /**
   * Builds the step's batch from `data`. Returns whether it was kept as bytes (Xq), which encodeForward and
   * encodeUpdateWeights must be told, so that layer 0 reads the batch that was written.
   */
  encodeGather(pass: GPUComputePassEncoder, data: ResidentData, order: GPUBuffer): boolean {
    const cols4 = ld(Math.max(this.spec.layers[0].inputs, this.spec.layers[this.spec.layers.length - 1].units)) / 4;
    const rowsY = Math.min(this.capacity, MAX_GROUPS);
    const group = this.gatherGroup(data, order);
    pass.setPipeline(this.gatherPipeline(data));
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(cols4 / 64), rowsY, Math.ceil(this.capacity / rowsY));
    return this.packs(data);
  }

  /** forward pass of every layer (and the output softmax); `packed`: the batch is bytes (encodeGather) */
  encodeForward(pass: GPUComputePassEncoder, packed: boolean): void {
    this.forward.forEach((d, l) => this.run(pass, l === 0 && packed ? this.bytes!.forward : d));
  }

  /** output δ (training) or only the loss/accuracy (inference), added to the accumulator */
  encodeOutputDelta(pass: GPUComputePassEncoder): void {
    this.run(pass, this.outputDelta);
  }

  /** every hidden δ, from the last hidden layer down, with the weights before this step's update */
  encodeBackprop(pass: GPUComputePassEncoder): void {
    for (const d of this.backprop) this.run(pass, d);
  }

  /** every W (fused gradient + optimizer) and b (reduction + optimizer); `packed` as for encodeForward */
  encodeUpdateWeights(pass: GPUComputePassEncoder, packed: boolean): void {
    this.update.forEach((d, k) => this.run(pass, k === 0 && packed ? this.bytes!.update! : d));
  }

  encodeAdvance(pass: GPUComputePassEncoder): void {
    this.advanceGroup ??= bindGroup(this.mem.device, this.pipes.advance, 'advance', { 0: this.step });
    this.run(pass, { pipeline: this.pipes.advance, group: this.advanceGroup, size: [1, 1] });
  }

  /** Dispatches per training step, to size command buffers. */
  get dispatchesPerStep(): number {
    return 3 + this.forward.length + this.backprop.length + this.update.length;
  }

  /** Writes the first step's record and zeroes the accumulator (unless a streamed call's later chunk adds to it). */
  begin(start: number, rows: number, t: number, batch: number, total: number, sequential: boolean, keepAccum = false): void {
    const q = this.mem.device.queue;
    q.writeBuffer(this.step, 0, new Uint32Array([start, rows, t, batch, total, sequential ? 1 : 0, 0, 0]));
    if (!keepAccum) q.writeBuffer(this.accum, 0, new Uint32Array(4));
  }

  dispose(): void {
    for (const b of this.buffers) this.mem.destroy(b);
    this.gathers.clear();
  }
}
