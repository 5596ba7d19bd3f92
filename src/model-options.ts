/**
 * The options of the model's front door (src/model.ts): compile({loss, optimizer, backend, matmul}),
 * fit(x, y, {epochs, batchSize, validation, callbacks, checkpoints, …}) and what evaluate() returns.
 */
import type { LossName } from './losses.ts';
import type { OptimizerConfig, OptimizerName } from './optimizers.ts';
import type { Backend } from './backend.ts';
import type { BackendChoice, WebGpuMatmulChoice } from './backends/select.ts';
import type { InputsLike, TargetsLike } from './inputs.ts';
import type { Callbacks, TraceStep } from './trainer.ts';
import type { CheckpointOptions } from './checkpoint/fit.ts';
import type { Checkpoint } from './checkpoint/state.ts';

export interface CompileOptions {
  loss: LossName;
  optimizer?: OptimizerConfig | OptimizerName;
  /** 'accuracy' is always computed; listing it is accepted for Keras habits */
  metrics?: 'accuracy'[];
  /**
   * 'auto' (default): a hardware GPU if there is one, else the CPU; 'webgpu' or 'cpu' to choose. Or a
   * Backend you made (to share one device between models): the model then never disposes it, you do.
   */
  backend?: BackendChoice | Backend;
  /** where 'auto' says which backend it chose and why (default: console.warn) */
  onNotice?: (message: string) => void;
  /** WebGPU matmul kernel: 'auto' (default) tunes per product on the device; a kernel name forces it */
  matmul?: WebGpuMatmulChoice;
}

export interface FitOptions {
  epochs?: number;
  /** 1 = online SGD, 'full' = full batch, else mini-batch (default 32) */
  batchSize?: number | 'full';
  /** a new seeded order each epoch (default true); false keeps the patterns' order */
  shuffle?: boolean;
  /** hold out this fraction (the last rows, before shuffling, as Keras does) for validation */
  validationSplit?: number;
  /** x as a matrix, nested arrays or 8-bit pixels; y as target rows or class indices (as for fit) */
  validationData?: [InputsLike, TargetsLike];
  /** stop once an epoch's mean loss is ≤ this (the lectures' error tolerance) */
  stopAtLoss?: number;
  callbacks?: Callbacks;
  /** progress callbacks per epoch when onProgress is set (default 20); each costs one metrics readback */
  ticksPerEpoch?: number;
  /** called after every step with the step's values (forces one step per backend call: slow) */
  trace?: (t: TraceStep) => void;
  /**
   * What a NaN or ±Infinity in the loss or in a layer's updated weights does (checked every tick, in the
   * metrics readback): 'stop' (default) rejects with NonFiniteError naming the epoch, step and layer, and
   * the model keeps the weights from before that step; 'warn' says so once (onNotice) and trains on.
   */
  onNonFinite?: 'stop' | 'warn';
  /** checkpoints every `everyEpochs` epochs (weights, optimizer state, position, shuffle state, history) */
  checkpoint?: CheckpointOptions;
  /** continue a run from a checkpoint (or its file): `epochs` counts the epochs it already did */
  resumeFrom?: Checkpoint | string;
  /** stops training at the next tick: fit rejects with TrainingStoppedError (and takes a checkpoint if on) */
  signal?: AbortSignal;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
}
