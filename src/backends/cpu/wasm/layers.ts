/**
 * The layer kinds of the WebAssembly network session (network-session.ts): each kind's forward pass, the
 * error it sends back to the layer before it, and its update, as calls into the kernels of
 * src/backends/cpu/wasm/*.as.ts. Dense layers call the very kernels the dense-only session calls; conv2d is
 * in conv2d.ts; pooling, flatten and dropout are here.
 *
 * Layout. Image activations are NHWC inside this session (see conv2d-simd.as.ts for why); flat ones (dense,
 * and everything after a flatten) are the contract's rows. A flatten is where NHWC becomes the contract's NCHW
 * order, so the dense layer after it reads PyTorch's flatten order as the contract says.
 */
import type { ActivationName } from '../../../activations.ts';
import type { Conv2dSpec, DenseSpec, DropoutSpec, LayerSpec, Pool2dSpec } from '../../../backend.ts';
import { isDense } from '../../../backend.ts';
import { dropoutScale, dropoutThreshold } from '../../../dropout-mask.ts';
import type { Arena, Region } from './memory.ts';
import { DERIVATIVE_IN_WASM, FORWARD_IN_WASM, SPLIT_WORK } from './session.ts';
import type { KernelName, ThreadPool } from './threads.ts';

/** An NHWC image's [H, W, C], or null for flat rows. */
export type Image = readonly [number, number, number] | null;

/** A layer's parameters and optimizer state in the module's memory, in the session's layout (see toInternal). */
export interface ParamMemory {
  W: Region;
  b: Region;
  mW: Region;
  sW: Region;
  mb: Region;
  sb: Region;
}

/** One layer's arrays for a batch: net input v, output y, δ, the error e (when δ is finished apart), extras. */
export interface LayerScratch {
  v: Region;
  y: Region;
  delta: Region;
  e: Region;
  extra: Region[];
}

/** What a layer's calls need from the session. */
export interface StepContext {
  arena: Arena;
  pool: ThreadPool;
  /** the optimizer's config block (optimizer-step.as.ts) */
  cfg: Region;
  /** updates before this step (dropout's mask counter) */
  t: number;
}

/** Runs a kernel over [0, count) in parts of whole tiles, split across threads when `work` multiply-adds are worth it. */
export function run(c: StepContext, name: KernelName, args: number[], count: number, tile: number, work: number): void {
  c.pool.run(name, args, count, tile, work >= SPLIT_WORK);
}

/** The target of a layer's backward pass: the previous layer's arrays and activation. */
export interface Previous {
  layer: LayerSpec;
  s: LayerScratch;
}

export abstract class WasmLayer {
  /** the layout of this layer's output: NHWC [H, W, C], or flat */
  abstract readonly image: Image;
  /** the parameters' internal length of W (differs from the contract's where conv2d pads, see conv2d.ts) */
  get internalWeights(): number {
    return 0;
  }

  constructor(
    readonly spec: LayerSpec,
    readonly index: number,
  ) {}

  /** extra scratch regions (float32 lengths) this kind needs for a batch of `rows` */
  extras(_rows: number): number[] {
    return [];
  }

  /** the i32 list scratch each thread needs for `rows` (the dense kernels' zero lists) */
  listLength(_rows: number): number {
    return 0;
  }

  /** v and y from the input x (this layer's input layout) for `rows` patterns */
  abstract forward(c: StepContext, s: LayerScratch, x: Region, rows: number, training: boolean, p: ParamMemory | null): void;

  /**
   * The error at the previous layer's outputs from this layer's δ, with the parameters before the update,
   * written into `target` (in the previous layer's layout): δ_prev itself where fusesDerivative says the
   * kernel applies the previous layer's f', else e_prev for the session to finish.
   */
  abstract backward(c: StepContext, s: LayerScratch, x: Region, rows: number, p: ParamMemory | null, prev: Previous, target: Region): void;

  /** whether backward applies the previous layer's f' itself */
  fusesDerivative(_prev: LayerSpec): boolean {
    return false;
  }

  /** the fused weight change and optimizer update (layers with parameters) */
  update(_c: StepContext, _s: LayerScratch, _x: Region, _rows: number, _p: ParamMemory): void {}

  /** W from the contract's layout to this session's, and back (identity unless a kind permutes) */
  toInternal(W: Float32Array): Float32Array {
    return W;
  }
  fromInternal(W: Float32Array): Float32Array {
    return W;
  }
}

/** Whether the previous layer's f' is applied by the kernel that makes δ (else the host finishes it). */
export function derivativeId(layer: LayerSpec): number {
  return DERIVATIVE_IN_WASM[layer.activation as ActivationName] ?? -1;
}

export class DenseLayer extends WasmLayer {
  readonly image: Image = null;
  declare readonly spec: DenseSpec;

  override get internalWeights(): number {
    return this.spec.units * this.spec.inputs;
  }

  override listLength(rows: number): number {
    return Math.max(rows, Math.ceil(this.spec.inputs / 4));
  }

  forward(c: StepContext, s: LayerScratch, x: Region, rows: number, _training: boolean, p: ParamMemory): void {
    const l = this.spec;
    const act = FORWARD_IN_WASM[l.activation] ?? -1;
    run(c, 'forward', [p.W.ptr, p.b.ptr, x.ptr, s.v.ptr, s.y.ptr, l.inputs, l.units, l.bias ? 1 : 0, act, l.alpha], rows, 4, rows * l.inputs * l.units);
  }

  override fusesDerivative(prev: LayerSpec): boolean {
    return derivativeId(prev) >= 0;
  }

  backward(c: StepContext, s: LayerScratch, _x: Region, rows: number, p: ParamMemory, prev: Previous, target: Region): void {
    const l = this.spec;
    // the previous layer's f' fused where the kernel has it; else linear (0), e for the host to finish
    const act = Math.max(derivativeId(prev.layer), 0);
    run(c, 'backprop', [p.W.ptr, s.delta.ptr, l.inputs, l.units, prev.s.v.ptr, prev.s.y.ptr, target.ptr, act, prev.layer.alpha], rows, 4, rows * l.inputs * l.units);
  }

  override update(c: StepContext, s: LayerScratch, x: Region, rows: number, p: ParamMemory): void {
    const l = this.spec;
    const args = [p.W.ptr, p.b.ptr, s.delta.ptr, x.ptr, rows, l.inputs, l.units, l.bias ? 1 : 0, p.mW.ptr, p.sW.ptr, p.mb.ptr, p.sb.ptr, c.cfg.ptr];
    run(c, 'weightUpdate', args, l.units, 4, rows * l.inputs * l.units);
  }
}

/** NHWC of a [C, H, W] shape */
export const nhwc = (shape: readonly [number, number, number]): Image => [shape[1], shape[2], shape[0]];

export class Pool2dLayer extends WasmLayer {
  declare readonly spec: Pool2dSpec;
  readonly image: Image;

  constructor(spec: Pool2dSpec, index: number) {
    super(spec, index);
    this.image = nhwc(spec.outShape);
  }

  private get max(): boolean {
    return this.spec.kind === 'maxPool2d';
  }

  /** max pooling's first-maximum offsets, one i32 per output */
  override extras(rows: number): number[] {
    return this.max ? [rows * this.spec.units] : [];
  }

  private geometry(): number[] {
    const [C, H, W] = this.spec.inShape;
    const [, OH, OW] = this.spec.outShape;
    return [H, W, C, this.spec.size[0], this.spec.size[1], this.spec.stride[0], this.spec.stride[1], OH, OW];
  }

  forward(c: StepContext, s: LayerScratch, x: Region, rows: number): void {
    const work = rows * this.spec.units * this.spec.size[0] * this.spec.size[1];
    if (this.max) run(c, 'maxPoolForward', [x.ptr, s.y.ptr, s.extra[0].ptr, ...this.geometry()], rows, 1, work);
    else run(c, 'avgPoolForward', [x.ptr, s.y.ptr, ...this.geometry()], rows, 1, work);
  }

  backward(c: StepContext, s: LayerScratch, _x: Region, rows: number, _p: null, _prev: Previous, target: Region): void {
    const work = rows * this.spec.units * this.spec.size[0] * this.spec.size[1];
    if (this.max) run(c, 'maxPoolBackward', [s.delta.ptr, s.extra[0].ptr, target.ptr, this.spec.inputs, this.spec.units], rows, 1, work);
    else run(c, 'avgPoolBackward', [s.delta.ptr, target.ptr, ...this.geometry()], rows, 1, work);
  }
}

/** NHWC → the contract's NCHW rows (or a copy, after a flat layer). */
export class FlattenLayer extends WasmLayer {
  readonly image: Image = null;

  constructor(
    spec: LayerSpec,
    index: number,
    private readonly input: Image,
  ) {
    super(spec, index);
  }

  forward(c: StepContext, s: LayerScratch, x: Region, rows: number): void {
    const n = this.spec.units;
    if (this.input && this.input[2] > 1) run(c, 'nhwcToNchw', [x.ptr, s.y.ptr, this.input[0] * this.input[1], this.input[2]], rows, 1, rows * n);
    else c.arena.byteView().copyWithin(s.y.ptr, x.ptr, x.ptr + rows * n * 4);
  }

  backward(c: StepContext, s: LayerScratch, _x: Region, rows: number, _p: null, _prev: Previous, target: Region): void {
    const n = this.spec.units;
    if (this.input && this.input[2] > 1) run(c, 'nchwToNhwc', [s.delta.ptr, target.ptr, this.input[0] * this.input[1], this.input[2]], rows, 1, rows * n);
    else c.arena.byteView().copyWithin(target.ptr, s.delta.ptr, s.delta.ptr + rows * n * 4);
  }
}

/** Inverted dropout in training steps (mask kept for the backward pass), the identity otherwise. */
export class DropoutLayer extends WasmLayer {
  declare readonly spec: DropoutSpec;

  constructor(
    spec: DropoutSpec,
    index: number,
    readonly image: Image,
  ) {
    super(spec, index);
  }

  override extras(rows: number): number[] {
    return [rows * this.spec.units];
  }

  forward(c: StepContext, s: LayerScratch, x: Region, rows: number, training: boolean): void {
    const n = this.spec.units;
    if (!training || this.spec.rate === 0) {
      c.arena.byteView().copyWithin(s.y.ptr, x.ptr, x.ptr + rows * n * 4);
      if (training) c.arena.view(s.extra[0]).fill(1, 0, rows * n);
      return;
    }
    const [H, W, C] = this.image ?? [1, n, 1];
    const { seed, rate } = this.spec;
    // Philox is ~20 integer multiplies an element: worth splitting from a few thousand elements
    run(c, 'dropoutForward', [x.ptr, s.y.ptr, s.extra[0].ptr, H, W, C, seed >>> 0, this.index, c.t >>> 0, dropoutThreshold(rate), dropoutScale(rate)], rows, 1, rows * n * 64);
  }

  backward(c: StepContext, s: LayerScratch, _x: Region, rows: number, _p: null, _prev: Previous, target: Region): void {
    run(c, 'dropoutBackward', [s.delta.ptr, s.extra[0].ptr, target.ptr], rows * this.spec.units, 4, rows * this.spec.units);
  }
}

/** Whether a kind's forward pass leaves y in v's place (pooling, flatten, dropout have y = v: 'linear'). */
export function outputIsV(spec: LayerSpec): boolean {
  return !isDense(spec) && spec.kind !== 'conv2d';
}

export type { Conv2dSpec };
