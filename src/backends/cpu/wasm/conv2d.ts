/**
 * The conv2d layer of the WebAssembly network session: forward, the error sent back, and the fused update.
 * Images are NHWC and the filters are kept as [F, kh, kw, C] (PyTorch's [F, C, kh, kw] permuted on the way in
 * and out), so a patch of the input and a filter row are both runs of K = kh·kw·C floats in the same order.
 *   forward          im2col, then convDirect on the patch rows: vectors along the filters, 4 pixels × 8
 *                    filters a tile (conv2d-simd.as.ts)
 *   input gradient   convInputGrad: δ scattered back, skipping its zeros (3 in 4 after 2×2 max pooling)
 *   filter gradient  convFilterUpdate: the same skipping, fused with the optimizer's update
 * With few input channels (MNIST's one) the filter gradient is dense-simd.as.ts's weightUpdate on the patch
 * rows instead, which skips their zero chunks. Those choices come from bench/conv-kernels.ts, which times im2col + the dense
 * GEMM kernels against these on the Keras convnet's two layers (figures in the commit that made them).
 *
 * Rows of the patch matrix and of W are padded from K to Kp, a multiple of 4, with zero columns: no kernel has
 * a scalar tail then (conv 3×3 on one channel has K = 9), and the padded weights stay exactly 0 (their gradient
 * is 0, and every optimizer maps 0 with zero state to 0). Every sum runs in one fixed order whatever the
 * threads: what is split is pixels (forward), samples (input gradient) or filters (update).
 */
import type { Conv2dSpec } from '../../../backend.ts';
import type { Region } from './memory.ts';
import { FORWARD_IN_WASM } from './session.ts';
import { WasmLayer, nhwc, run } from './layers.ts';
import type { Image, LayerScratch, ParamMemory, Previous, StepContext } from './layers.ts';

/** Below this many input channels the kernels read the patch matrix instead (as a 1×1 convolution's input). */
const FEW_CHANNELS = 8;

export class Conv2dLayer extends WasmLayer {
  declare readonly spec: Conv2dSpec;
  readonly image: Image;
  /** K = kh·kw·C, and the padded row length of col and W */
  readonly K: number;
  readonly Kp: number;
  /** output pixels per sample */
  readonly P: number;
  /** few input channels: the patch matrix is built, and forward and the filter gradient read it */
  private readonly fewChannels: boolean;
  /** filters in vectors of 4: the direct forward kernel; else the dense forward kernel on the patch matrix */
  private readonly direct: boolean;

  constructor(spec: Conv2dSpec, index: number) {
    super(spec, index);
    this.image = nhwc(spec.outShape);
    this.K = spec.kernel[0] * spec.kernel[1] * spec.inShape[0];
    this.Kp = Math.ceil(this.K / 4) * 4;
    this.P = spec.outShape[1] * spec.outShape[2];
    this.fewChannels = spec.inShape[0] < FEW_CHANNELS;
    this.direct = spec.filters % 4 === 0;
  }

  /**
   * The forward pass always reads the patch matrix: convDirect on it (a 1×1 convolution with Kp channels, no
   * bounds checks, contiguous rows) measured 2× faster than convDirect on the image for the convnet's conv2
   * (bench/conv-kernels.ts, batch 128: 23.8 vs 46.9 ms with the im2col included).
   */
  private get usesCol(): boolean {
    return true;
  }

  override get internalWeights(): number {
    return this.spec.filters * this.Kp;
  }

  /** [col, Wt = the filters as [Kp, F] (direct forward), G = the filter gradient (convFilterUpdate), zeros] */
  override extras(rows: number): number[] {
    const F = this.spec.filters;
    return [this.usesCol ? rows * this.P * this.Kp : 0, this.direct ? this.Kp * F : 0, this.fewChannels ? 0 : F * this.Kp, this.Kp];
  }

  override listLength(rows: number): number {
    // the dense kernels' zero lists (rows of the patch matrix, or its row chunks), convInputGrad's filter list
    return Math.max(this.fewChannels || !this.direct ? rows * this.P : 0, this.Kp / 4, this.spec.filters);
  }

  /** [H, W, C, kh, kw, sy, sx, padTop, padLeft, OH, OW] of the convolution as written */
  private geometry(): number[] {
    const l = this.spec;
    const [C, H, W] = l.inShape;
    return [H, W, C, l.kernel[0], l.kernel[1], l.stride[0], l.stride[1], l.padTop, l.padLeft, l.outShape[1], l.outShape[2]];
  }

  override forward(c: StepContext, s: LayerScratch, x: Region, rows: number, _training: boolean, p: ParamMemory): void {
    const l = this.spec;
    const act = FORWARD_IN_WASM[l.activation] ?? -1;
    const n = rows * this.P;
    const work = n * this.K * l.filters;
    const col = s.extra[0];
    if (this.usesCol) run(c, 'im2col', [x.ptr, col.ptr, ...this.geometry(), this.Kp], n, 4, n * this.K * 8);
    if (!this.direct) {
      run(c, 'forward', [p.W.ptr, p.b.ptr, col.ptr, s.v.ptr, s.y.ptr, this.Kp, l.filters, l.bias ? 1 : 0, act, l.alpha], n, 4, work);
      return;
    }
    this.transposeFilters(c, s, p);
    const [OH, OW] = [l.outShape[1], l.outShape[2]];
    // the patch matrix as the input of a 1×1 convolution with Kp channels
    const g = [OH, OW, this.Kp, 1, 1, 1, 1, 0, 0, OH, OW];
    run(c, 'convDirect', [s.extra[1].ptr, p.b.ptr, col.ptr, s.v.ptr, s.y.ptr, g[0], g[1], g[2], l.filters, ...g.slice(3), l.bias ? 1 : 0, act, l.alpha, s.extra[3].ptr], n, 4, work);
  }

  /** Wt[k, f] = W[f, k] for the direct forward kernel (the filters change every step; Kp·F values, next to nothing) */
  private transposeFilters(c: StepContext, s: LayerScratch, p: ParamMemory): void {
    const W = c.arena.view(p.W);
    const Wt = c.arena.view(s.extra[1]);
    const F = this.spec.filters;
    for (let f = 0; f < F; f++) for (let k = 0; k < this.Kp; k++) Wt[k * F + f] = W[f * this.Kp + k];
  }

  override backward(c: StepContext, s: LayerScratch, _x: Region, rows: number, p: ParamMemory, _prev: Previous, target: Region): void {
    const l = this.spec;
    run(c, 'convInputGrad', [p.W.ptr, s.delta.ptr, target.ptr, ...this.geometry(), l.filters, this.Kp], rows, 1, rows * this.P * this.K * l.filters);
  }

  override update(c: StepContext, s: LayerScratch, x: Region, rows: number, p: ParamMemory): void {
    const l = this.spec;
    const n = rows * this.P;
    const work = n * this.K * l.filters;
    const state = [p.mW.ptr, p.sW.ptr, p.mb.ptr, p.sb.ptr, c.cfg.ptr];
    if (this.fewChannels) {
      // the dense kernel on the patch rows (it skips their zero chunks: MNIST's pixels are 80% zero); rows·P
      // rows summed, D divided by the config block's row count, the batch's N (set by the session)
      run(c, 'weightUpdate', [p.W.ptr, p.b.ptr, s.delta.ptr, s.extra[0].ptr, n, this.Kp, l.filters, l.bias ? 1 : 0, ...state], l.filters, 4, work);
    } else {
      run(c, 'convFilterUpdate', [p.W.ptr, p.b.ptr, s.delta.ptr, x.ptr, s.extra[2].ptr, ...this.geometry(), l.filters, this.Kp, rows, l.bias ? 1 : 0, ...state], l.filters, 1, work);
    }
  }

  /** PyTorch's [F, C, kh, kw] → [F, kh, kw, C] with rows padded to Kp (zeros) */
  override toInternal(W: Float32Array): Float32Array {
    const [C] = this.spec.inShape;
    const [kh, kw] = this.spec.kernel;
    const out = new Float32Array(this.spec.filters * this.Kp);
    for (let f = 0; f < this.spec.filters; f++)
      for (let c = 0; c < C; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) out[f * this.Kp + (ky * kw + kx) * C + c] = W[((f * C + c) * kh + ky) * kw + kx];
    return out;
  }

  override fromInternal(W: Float32Array): Float32Array {
    const [C] = this.spec.inShape;
    const [kh, kw] = this.spec.kernel;
    const out = new Float32Array(this.spec.filters * this.K);
    for (let f = 0; f < this.spec.filters; f++)
      for (let c = 0; c < C; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) out[((f * C + c) * kh + ky) * kw + kx] = W[f * this.Kp + (ky * kw + kx) * C + c];
    return out;
  }
}
