/**
 * What every layer kind's WebGPU file (dense in plan.ts; conv2d.ts, pool2d.ts, dropout.ts, flatten.ts) hands
 * the step plan: its pipelines, built once per network, and its dispatches, built once per plan. plan.ts only
 * sequences them: forward (every layer), backprop (layer l's error to layer l − 1, with l − 1's f' fused),
 * update (every layer with parameters).
 */
import type { LayerBuffers } from './params.ts';

/** One compute dispatch, ready to encode. `size` is the workgroup grid (z defaults to 1). */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  size: [number, number] | [number, number, number];
}

/** A layer kind's pipelines (null where the kind has no such pass). */
export interface KindPipelines {
  /** training forward pass (for dropout: the masked one) */
  forward: GPUComputePipeline | null;
  /** inference forward pass where it differs from training's (dropout: none, the buffers alias) */
  inferForward?: GPUComputePipeline | null;
  /** the error to the layer below, with its f' fused (null for layer 0) */
  backprop: GPUComputePipeline | null;
  /** W's gradient + optimizer, and b's */
  update: GPUComputePipeline | null;
  bias: GPUComputePipeline | null;
}

/** The buffers a layer's dispatches bind, and a way to make its uniforms. */
export interface LayerContext {
  device: GPUDevice;
  /** a uniform buffer owned (and freed) by the plan */
  uniform(label: string, words: Uint32Array | number[]): GPUBuffer;
  capacity: number;
  training: boolean;
  step: GPUBuffer;
  /** the layer's input batch: X for layer 0, else the previous layer's Y */
  input: GPUBuffer;
  V: GPUBuffer;
  Y: GPUBuffer;
  /** null in an inference plan */
  delta: GPUBuffer | null;
  /** the layer below (for backprop): its V, Y and δ; null for layer 0 or an inference plan */
  below: { V: GPUBuffer; Y: GPUBuffer; delta: GPUBuffer } | null;
  params: LayerBuffers;
  hyper: GPUBuffer;
  /** a 16-byte buffer for bindings a kernel never reads */
  dummy: GPUBuffer;
}

/** A layer's dispatches per pass (empty where the kind has none). */
export interface LayerDispatches {
  forward: Dispatch[];
  backprop: Dispatch[];
  update: Dispatch[];
}

/** Workgroups per dispatch dimension WebGPU guarantees. */
export const MAX_GROUPS = 65535;

/**
 * The grid of a row-wise kernel (64 invocations over a pattern's `width` values, one batch row per y, rows
 * spread over y and z past 65,535): [x, y, z] and rowsY, the rows per z slice the kernel is told.
 */
export function rowGrid(width: number, capacity: number): { size: [number, number, number]; rowsY: number } {
  const rowsY = Math.min(capacity, MAX_GROUPS);
  return { size: [Math.ceil(width / 64), rowsY, Math.ceil(capacity / rowsY)], rowsY };
}
