/**
 * conv2d on the GPU: which WGSL does what, and the dispatches plan.ts sequences.
 *
 *   forward   shaders/conv2d_forward.wgsl (reference, one invocation per output value) or
 *             shaders/conv2d_forward_tiled.wgsl (tiled implicit GEMM), both with conv2d_store.wgsl's
 *             bias + activation epilogue; the tuner (conv-tuner.ts) picks one per shape
 *   backprop  shaders/conv2d_backprop.wgsl: the transposed convolution δ → e, the layer below's f' fused
 *   update    shaders/conv2d_update.wgsl: the filter gradient averaged over the batch, optimizer fused;
 *             shaders/conv2d_bias.wgsl: the bias gradient summed over batch and positions, optimizer fused
 *
 * W is kept as PyTorch's [F, C, KH, KW], one filter per row of ld(C·KH·KW) floats (params.ts weightShape).
 */
import { ACTIVATION_ID } from '../../activations.ts';
import type { ActivationName } from '../../activations.ts';
import type { Conv2dSpec, Pool2dSpec } from '../../backend.ts';
import { bindGroup } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { MAX_GROUPS, rowGrid } from './layer-step.ts';
import type { KindPipelines, LayerContext, LayerDispatches } from './layer-step.ts';
import { ld } from './memory.ts';

/** The conv2d forward kernels: the readable reference ('direct') and the tiled implicit GEMM. */
export type ConvKernel = 'direct' | 'tiled';
export const CONV_KERNELS: readonly ConvKernel[] = ['direct', 'tiled'];

const FORWARD_FILE: Record<ConvKernel, string> = { direct: 'conv2d_forward', tiled: 'conv2d_forward_tiled' };
/** output positions × filters one workgroup of the tiled kernel covers (conv2d_forward_tiled.wgsl TG, TF) */
const TILE = 32;

/** Shader files of each conv2d kernel, in assembly order. */
export const CONV_FILES = {
  forward: (kernel: ConvKernel) => ['common', 'activation', 'window', 'conv2d_store', FORWARD_FILE[kernel]],
  backprop: ['common', 'activation', 'window', 'conv2d_backprop'],
  update: ['common', 'optimizer', 'window', 'conv2d_update'],
  bias: ['common', 'optimizer', 'window', 'conv2d_bias'],
};

/** K = C·KH·KW: the terms of one output value, the length of one filter. */
export const convTerms = (layer: Conv2dSpec) => layer.inShape[0] * layer.kernel[0] * layer.kernel[1];

/** The Window uniform (shaders/window.wgsl) of a conv2d or pooling layer. */
export function windowWords(layer: Conv2dSpec | Pool2dSpec, rowsY: number): Uint32Array {
  const [C, H, W] = layer.inShape;
  const [F, OH, OW] = layer.outShape;
  const conv = layer.kind === 'conv2d';
  const [KH, KW] = conv ? layer.kernel : layer.size;
  const pad = conv ? [layer.padTop, layer.padLeft] : [0, 0];
  const ldW = conv ? ld(convTerms(layer)) : 0;
  return new Uint32Array([C, H, W, F, OH, OW, KH, KW, layer.stride[0], layer.stride[1], pad[0], pad[1], ld(layer.inputs), ld(layer.units), ldW, rowsY]);
}

/** The forward kernel's grid for a batch of `capacity` rows, and the rowsY its Window uniform carries. */
export function convForwardGrid(kernel: ConvKernel, layer: Conv2dSpec, capacity: number): { size: [number, number, number]; rowsY: number } {
  if (kernel === 'direct') return rowGrid(layer.units, capacity);
  const tiles = Math.ceil((capacity * layer.outShape[1] * layer.outShape[2]) / TILE);
  const perZ = Math.min(tiles, MAX_GROUPS);
  return { size: [Math.ceil(layer.filters / TILE), perZ, Math.ceil(tiles / perZ)], rowsY: perZ };
}

const flag = (b: boolean) => (b ? 1 : 0);

/** The forward pipeline alone (the tuner times it). */
export function convForwardPipeline(kernels: Kernels, layer: Conv2dSpec, kernel: ConvKernel, writeY = true): Promise<GPUComputePipeline> {
  const act = { ACTIVATION: ACTIVATION_ID[layer.activation], ALPHA: layer.alpha };
  return kernels.pipeline(CONV_FILES.forward(kernel), { ...act, HAS_BIAS: flag(layer.bias), WRITE_Y: flag(writeY && layer.activation !== 'softmax') });
}

/**
 * A conv2d layer's pipelines. `below`: the activation and leaky slope of the layer under it (whose f' the
 * backprop fuses), or null for layer 0 (no error to send).
 */
export async function conv2dPipelines(
  kernels: Kernels,
  layer: Conv2dSpec,
  below: { activation: ActivationName; alpha: number } | null,
  optimizer: number,
  kernel: ConvKernel,
): Promise<KindPipelines> {
  const opt = { OPTIMIZER: optimizer };
  const [forward, backprop, update, bias] = await Promise.all([
    convForwardPipeline(kernels, layer, kernel),
    below ? kernels.pipeline(CONV_FILES.backprop, { ACTIVATION: ACTIVATION_ID[below.activation], ALPHA: below.alpha }) : null,
    kernels.pipeline(CONV_FILES.update, opt),
    layer.bias ? kernels.pipeline(CONV_FILES.bias, opt) : null,
  ]);
  return { forward, backprop, update, bias };
}

/** A conv2d layer's dispatches for one plan. */
export function conv2dDispatches(ctx: LayerContext, layer: Conv2dSpec, pipes: KindPipelines, kernel: ConvKernel, l: number): LayerDispatches {
  const out: LayerDispatches = { forward: [], backprop: [], update: [] };
  const p = ctx.params;
  const fwd = convForwardGrid(kernel, layer, ctx.capacity);
  const fwin = ctx.uniform(`conv ${l} forward window`, windowWords(layer, fwd.rowsY));
  out.forward.push({
    pipeline: pipes.forward!,
    group: bindGroup(ctx.device, pipes.forward!, `conv ${l} forward`, { 0: ctx.input, 1: p.W, 2: fwin, 3: ctx.step, 4: p.b ?? ctx.dummy, 5: ctx.V, 6: ctx.Y }),
    size: fwd.size,
  });
  if (!ctx.training || !ctx.delta) return out;
  const rows = rowGrid(layer.inputs, ctx.capacity);
  const win = ctx.uniform(`conv ${l} window`, windowWords(layer, rows.rowsY));
  if (ctx.below && pipes.backprop) {
    const b = ctx.below;
    out.backprop.push({
      pipeline: pipes.backprop,
      group: bindGroup(ctx.device, pipes.backprop, `conv ${l} backprop`, { 0: ctx.delta, 1: p.W, 2: win, 3: ctx.step, 4: b.V, 5: b.Y, 6: b.delta }),
      size: rows.size,
    });
  }
  out.update.push({
    pipeline: pipes.update!,
    group: bindGroup(ctx.device, pipes.update!, `conv ${l} update W`, { 0: ctx.delta, 1: ctx.input, 2: win, 3: ctx.step, 4: p.W, 5: p.mW, 6: p.vW, 7: ctx.hyper }),
    size: [Math.ceil(convTerms(layer) / 64), layer.filters],
  });
  if (pipes.bias && p.b) {
    out.update.push({
      pipeline: pipes.bias,
      group: bindGroup(ctx.device, pipes.bias, `conv ${l} update b`, { 0: ctx.delta, 1: p.b, 2: p.mb, 3: p.vb, 4: win, 5: ctx.step, 7: ctx.hyper }),
      size: [Math.ceil(layer.filters / 64), 1],
    });
  }
  return out;
}
