/**
 * dropout on the GPU: which WGSL does what, and the dispatches plan.ts sequences.
 *
 *   forward   shaders/dropout_forward.wgsl, training plans only: y = x·scale where the Philox mask
 *             (shaders/philox.wgsl ≡ src/dropout-mask.ts) keeps x, else 0; V is Y. In an inference plan
 *             the layer is the identity and its V and Y are the input's buffer (plan.ts aliases them)
 *   backprop  shaders/dropout_backward.wgsl: δ_prev = f'_prev · mask · scale · δ, the mask drawn again
 *   update    none (no parameters)
 */
import { ACTIVATION_ID } from '../../activations.ts';
import type { ActivationName } from '../../activations.ts';
import type { DropoutSpec } from '../../backend.ts';
import { dropoutScale, dropoutThreshold } from '../../dropout-mask.ts';
import { bindGroup } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { rowGrid } from './layer-step.ts';
import type { KindPipelines, LayerContext, LayerDispatches } from './layer-step.ts';
import { ld } from './memory.ts';

export const DROPOUT_FILES = {
  forward: ['common', 'philox', 'dropout_forward'],
  backprop: ['common', 'activation', 'philox', 'dropout_backward'],
};

/** The Dropout uniform (shaders/philox.wgsl): mask off for the identity's backward pass (flatten.ts). */
export function dropoutWords(units: number, rowsY: number, mask: { seed: number; layer: number; rate: number } | null): Uint32Array {
  const words = new Uint32Array([units, ld(units), 0, 0, 0, 0, rowsY, 0]);
  if (mask) {
    words[2] = mask.seed >>> 0;
    words[3] = mask.layer >>> 0;
    words[4] = dropoutThreshold(mask.rate);
    new Float32Array(words.buffer)[5] = dropoutScale(mask.rate);
  }
  return words;
}

export async function dropoutPipelines(kernels: Kernels, below: { activation: ActivationName; alpha: number } | null, mask = true): Promise<KindPipelines> {
  const [forward, backprop] = await Promise.all([
    mask ? kernels.pipeline(DROPOUT_FILES.forward) : null,
    below ? kernels.pipeline(DROPOUT_FILES.backprop, { MASK: mask ? 1 : 0, ACTIVATION: ACTIVATION_ID[below.activation], ALPHA: below.alpha }) : null,
  ]);
  return { forward, backprop, update: null, bias: null };
}

/**
 * The dispatches of a dropout layer (`spec` with its position `l`), or of the identity (`spec` null: flatten,
 * or dropout outside training, whose forward pass is no dispatch at all).
 */
export function dropoutDispatches(ctx: LayerContext, units: number, spec: DropoutSpec | null, pipes: KindPipelines, l: number): LayerDispatches {
  const grid = rowGrid(units, ctx.capacity);
  const mask = spec ? { seed: spec.seed, layer: l, rate: spec.rate } : null;
  const u = ctx.uniform(`${spec ? 'dropout' : 'identity'} ${l} shape`, dropoutWords(units, grid.rowsY, mask));
  const out: LayerDispatches = { forward: [], backprop: [], update: [] };
  if (!ctx.training) return out;
  if (spec && pipes.forward) {
    out.forward.push({ pipeline: pipes.forward, group: bindGroup(ctx.device, pipes.forward, `dropout ${l} forward`, { 0: ctx.input, 1: u, 2: ctx.step, 3: ctx.Y }), size: grid.size });
  }
  if (ctx.delta && ctx.below && pipes.backprop) {
    const b = ctx.below;
    out.backprop.push({
      pipeline: pipes.backprop,
      group: bindGroup(ctx.device, pipes.backprop, `${spec ? 'dropout' : 'identity'} ${l} backprop`, { 0: ctx.delta, 1: u, 2: ctx.step, 4: b.V, 5: b.Y, 6: b.delta }),
      size: grid.size,
    });
  }
  return out;
}
