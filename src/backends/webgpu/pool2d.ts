/**
 * maxPool2d and avgPool2d on the GPU: which WGSL does what, and the dispatches plan.ts sequences.
 *
 *   forward   shaders/pool2d_forward.wgsl (MAX picks max or average); the layer's V is its Y
 *   backprop  shaders/pool2d_backward.wgsl: each window's δ to its first maximum (or spread evenly), the
 *             layer below's f' fused. Nothing is stored between the passes: the first maximum is found
 *             again in the layer's input
 *   update    none (no parameters)
 */
import { ACTIVATION_ID } from '../../activations.ts';
import type { ActivationName } from '../../activations.ts';
import type { Pool2dSpec } from '../../backend.ts';
import { windowWords } from './conv2d.ts';
import { bindGroup } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { rowGrid } from './layer-step.ts';
import type { KindPipelines, LayerContext, LayerDispatches } from './layer-step.ts';

export const POOL_FILES = {
  forward: ['common', 'window', 'pool2d_forward'],
  backprop: ['common', 'activation', 'window', 'pool2d_backward'],
};

export async function pool2dPipelines(kernels: Kernels, layer: Pool2dSpec, below: { activation: ActivationName; alpha: number } | null): Promise<KindPipelines> {
  const MAX = layer.kind === 'maxPool2d' ? 1 : 0;
  const [forward, backprop] = await Promise.all([
    kernels.pipeline(POOL_FILES.forward, { MAX }),
    below ? kernels.pipeline(POOL_FILES.backprop, { MAX, ACTIVATION: ACTIVATION_ID[below.activation], ALPHA: below.alpha }) : null,
  ]);
  return { forward, backprop, update: null, bias: null };
}

export function pool2dDispatches(ctx: LayerContext, layer: Pool2dSpec, pipes: KindPipelines, l: number): LayerDispatches {
  const fwd = rowGrid(layer.units, ctx.capacity);
  const win = ctx.uniform(`pool ${l} window`, windowWords(layer, fwd.rowsY));
  const out: LayerDispatches = {
    forward: [{ pipeline: pipes.forward!, group: bindGroup(ctx.device, pipes.forward!, `pool ${l} forward`, { 0: ctx.input, 2: win, 3: ctx.step, 6: ctx.Y }), size: fwd.size }],
    backprop: [],
    update: [],
  };
  if (ctx.training && ctx.delta && ctx.below && pipes.backprop) {
    const b = ctx.below;
    out.backprop.push({
      pipeline: pipes.backprop,
      group: bindGroup(ctx.device, pipes.backprop, `pool ${l} backprop`, { 0: ctx.delta, 2: win, 3: ctx.step, 4: b.V, 5: b.Y, 6: b.delta }),
      size: rowGrid(layer.inputs, ctx.capacity).size,
    });
  }
  return out;
}
