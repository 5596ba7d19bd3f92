/**
 * flatten on the GPU: no kernel of its own. NCHW rows are already in PyTorch's flatten order (channel, row,
 * column), so the forward pass is the identity on memory: plan.ts makes the layer's V and Y the very buffer
 * of its input. The backward pass is the identity's, δ_prev = f'_prev · δ, which is dropout's backward
 * kernel with the mask off (shaders/dropout_backward.wgsl, MASK = false).
 */
import type { ActivationName } from '../../activations.ts';
import type { FlattenSpec } from '../../backend.ts';
import { dropoutDispatches, dropoutPipelines } from './dropout.ts';
import type { Kernels } from './kernels.ts';
import type { KindPipelines, LayerContext, LayerDispatches } from './layer-step.ts';

export function flattenPipelines(kernels: Kernels, below: { activation: ActivationName; alpha: number } | null): Promise<KindPipelines> {
  return dropoutPipelines(kernels, below, false);
}

export function flattenDispatches(ctx: LayerContext, layer: FlattenSpec, pipes: KindPipelines, l: number): LayerDispatches {
  return dropoutDispatches(ctx, layer.units, null, pipes, l);
}
