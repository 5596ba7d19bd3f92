/**
 * The pipelines one network needs, specialised per layer (activation, bias, optimizer, loss) and built
 * once at compile time.
 */
import { ACTIVATION_ID } from '../../activations.ts';
import { LOSS_ID, fusesToTargetMinusOutput } from '../../losses.ts';
import { OPTIMIZER_ID } from '../../optimizers.ts';
import { isDense } from '../../backend.ts';
import type { LayerSpec, NetworkSpec } from '../../backend.ts';
import { conv2dPipelines } from './conv2d.ts';
import { dropoutPipelines } from './dropout.ts';
import { flattenPipelines } from './flatten.ts';
import { BYTE_OPERAND_KERNELS, KERNEL_FILES } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import type { KindPipelines } from './layer-step.ts';
import { pool2dPipelines } from './pool2d.ts';
import type { KernelChoice } from './tuner.ts';

export interface NetworkPipelines {
  /** per dense layer: V = X·Wᵀ + b, Y = f(V) (null for the other kinds) */
  forward: (GPUComputePipeline | null)[];
  /** per dense layer l ≥ 1 (index l): δ_{l−1} = f'_{l−1} ⊙ (δ_l·W_l); index 0 unused */
  backprop: (GPUComputePipeline | null)[];
  /** per dense layer: W ← optimizer(W, δᵀ·X_prev / rows) */
  update: (GPUComputePipeline | null)[];
  /** per layer of another kind (conv2d, pooling, flatten, dropout): its passes, from <kind>.ts (null for dense) */
  kinds: (KindPipelines | null)[];
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
  /**
   * The first layer's products and the gathers for a batch kept as 8-bit pixels (see packedInputs), or null.
   * Compiled on first call: only a byte data set needs them (about 0.15 s more per network on SwiftShader).
   */
  packed: (() => Promise<PackedPipelines>) | null;
}

/** Layer 0's forward and weight gradient reading a packed 8-bit batch, and the gathers that write it. */
export interface PackedPipelines {
  forward: GPUComputePipeline;
  update: GPUComputePipeline;
  gather: Record<'u8' | 'u8+labels', GPUComputePipeline>;
}

/**
 * Whether batches of 8-bit data stay bytes on the way into the first layer: where the tuner (or the user)
 * chose a register-blocked kernel for both of layer 0's products, since those read their operands through
 * shaders/operand_*.wgsl and so have an 8-bit form. It does the same work with a quarter of the loads of
 * the batch operand (bench/RESULTS.md: equal or faster on every shape measured).
 */
export function packedInputs(choice: KernelChoice, first: LayerSpec): boolean {
  return isDense(first) && BYTE_OPERAND_KERNELS.includes(choice.forward[0]) && BYTE_OPERAND_KERNELS.includes(choice.update[0]);
}

/** The pipelines of a layer that is not dense, from its kind's file; `l` its position. */
function kindPipelines(kernels: Kernels, spec: NetworkSpec, l: number, choice: KernelChoice, optimizer: number): Promise<KindPipelines> {
  const layer = spec.layers[l];
  const below = l === 0 ? null : { activation: spec.layers[l - 1].activation, alpha: spec.layers[l - 1].alpha };
  switch (layer.kind) {
    case 'conv2d':
      return conv2dPipelines(kernels, layer, below, optimizer, choice.conv[l]);
    case 'maxPool2d':
    case 'avgPool2d':
      return pool2dPipelines(kernels, layer, below);
    case 'dropout':
      return dropoutPipelines(kernels, below);
    case 'flatten':
      return flattenPipelines(kernels, below);
    default:
      throw new Error(`webgpu: no kernels for layer kind '${String(layer.kind)}'`);
  }
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
  const dense = (l: number) => isDense(layers[l]);
  const [forward, backprop, update, kinds, rest] = await Promise.all([
    Promise.all(
      layers.map((layer, l) =>
        dense(l) ? kernels.matmul(choice.forward[l], 'NT', 'forward', { ...act(l), HAS_BIAS: flag(layer.bias), WRITE_Y: flag(layer.activation !== 'softmax') }) : null,
      ),
    ),
    Promise.all(layers.map((_, l) => (l === 0 || !dense(l) ? null : kernels.matmul(choice.backprop[l], 'NN', 'backprop', act(l - 1))))),
    Promise.all(layers.map((_, l) => (dense(l) ? kernels.matmul(choice.update[l], 'TN', 'update', optimizer) : null))),
    Promise.all(layers.map((_, l) => (dense(l) ? null : kindPipelines(kernels, spec, l, choice, optimizer.OPTIMIZER)))),
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
  // Kernels caches each pipeline, so calling this again returns the same ones
  const packed = packedInputs(choice, layers[0]) ? () => buildPacked(kernels, choice, spec, act(0), optimizer) : null;
  return { forward, backprop, update, kinds, bias, softmax, outputDelta, metrics, gather, advance, choice, packed };
}

async function buildPacked(kernels: Kernels, choice: KernelChoice, spec: NetworkSpec, act: Record<string, number>, optimizer: Record<string, number>): Promise<PackedPipelines> {
  const first = spec.layers[0];
  const gather = (labels: boolean) => kernels.pipeline(KERNEL_FILES.gather, { X_U8: 1, D_LABELS: flag(labels), PACKED: 1 });
  const [forward, update, u8, u8labels] = await Promise.all([
    kernels.matmul(choice.forward[0], 'NT', 'forward', { ...act, HAS_BIAS: flag(first.bias), WRITE_Y: flag(first.activation !== 'softmax') }, 'u8'),
    kernels.matmul(choice.update[0], 'TN', 'update', optimizer, 'u8'),
    gather(false),
    gather(true),
  ]);
  return { forward, update, gather: { u8, 'u8+labels': u8labels } };
}
