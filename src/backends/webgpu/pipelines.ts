/**
 * The pipelines one network needs, specialised per layer (activation, bias, optimizer, loss) and built
 * once at compile time.
 */
import { ACTIVATION_ID } from '../../activations.ts';
import { LOSS_ID, fusesToTargetMinusOutput } from '../../losses.ts';
import { OPTIMIZER_ID } from '../../optimizers.ts';
import type { NetworkSpec } from '../../backend.ts';
import { KERNEL_FILES } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import type { KernelChoice } from './tuner.ts';

export interface NetworkPipelines {
  /** per layer: V = X·Wᵀ + b, Y = f(V) */
  forward: GPUComputePipeline[];
  /** per layer l ≥ 1 (index l): δ_{l−1} = f'_{l−1} ⊙ (δ_l·W_l); index 0 unused */
  backprop: (GPUComputePipeline | null)[];
  /** per layer: W ← optimizer(W, δᵀ·X_prev / rows) */
  update: GPUComputePipeline[];
  bias: GPUComputePipeline;
  softmax: GPUComputePipeline;
  /** output δ + loss/accuracy (training) */
  outputDelta: GPUComputePipeline;
  /** loss/accuracy only (evaluate) */
  metrics: GPUComputePipeline;
  /** per data format (see gatherVariant): the inputs as float32 or bytes, the targets as rows or class indices */
  gather: Record<GatherVariant, GPUComputePipeline>;
  advance: GPUComputePipeline;
  /** which matmul kernel each product uses (for dispatch sizes) */
  choice: KernelChoice;
}

const flag = (b: boolean) => (b ? 1 : 0);

export type GatherVariant = 'f32' | 'f32+labels' | 'u8' | 'u8+labels';
export const GATHER_VARIANTS: readonly GatherVariant[] = ['f32', 'f32+labels', 'u8', 'u8+labels'];

/** The gather kernel for a data set's format (shaders/gather.wgsl, X_U8 and D_LABELS). */
export function gatherVariant(bytes: boolean, labels: boolean): GatherVariant {
  return `${bytes ? 'u8' : 'f32'}${labels ? '+labels' : ''}` as GatherVariant;
}

export async function buildPipelines(kernels: Kernels, choice: KernelChoice, spec: NetworkSpec): Promise<NetworkPipelines> {
  const layers = spec.layers;
  const last = layers[layers.length - 1];
  const optimizer = { OPTIMIZER: OPTIMIZER_ID[spec.optimizer.type] };
  const act = (l: number) => ({ ACTIVATION: ACTIVATION_ID[layers[l].activation], ALPHA: layers[l].alpha });
  const out = {
    ...act(layers.length - 1),
    LOSS: LOSS_ID[spec.loss],
    FUSED: flag(fusesToTargetMinusOutput(spec.loss, last.activation)),
  };
  const [forward, backprop, update, rest] = await Promise.all([
    Promise.all(
      layers.map((layer, l) =>
        kernels.matmul(choice.forward[l], 'NT', 'forward', { ...act(l), HAS_BIAS: flag(layer.bias), WRITE_Y: flag(layer.activation !== 'softmax') }),
      ),
    ),
    Promise.all(layers.map((_, l) => (l === 0 ? null : kernels.matmul(choice.backprop[l], 'NN', 'backprop', act(l - 1))))),
    Promise.all(layers.map((_, l) => kernels.matmul(choice.update[l], 'TN', 'update', optimizer))),
    Promise.all([
      kernels.pipeline(KERNEL_FILES.biasUpdate, optimizer),
      kernels.pipeline(KERNEL_FILES.softmax),
      kernels.pipeline(KERNEL_FILES.outputDelta, { ...out, WRITE_DELTA: 1 }),
      kernels.pipeline(KERNEL_FILES.outputDelta, { ...out, WRITE_DELTA: 0 }),
      kernels.pipeline(KERNEL_FILES.stepAdvance),
    ]),
  ]);
  const gathers = await Promise.all(
    GATHER_VARIANTS.map((v) => kernels.pipeline(KERNEL_FILES.gather, { X_U8: flag(v.startsWith('u8')), D_LABELS: flag(v.endsWith('labels')) })),
  );
  const gather = Object.fromEntries(GATHER_VARIANTS.map((v, k) => [v, gathers[k]])) as Record<GatherVariant, GPUComputePipeline>;
  const [bias, softmax, outputDelta, metrics, advance] = rest;
  return { forward, backprop, update, bias, softmax, outputDelta, metrics, gather, advance, choice };
}
