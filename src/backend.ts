/**
 * The contract between the trainer and a backend (CPU reference, WebGPU).
 *
 * It is shaped for a GPU: a backend compiles a network once into a `TrainingSession` whose parameters,
 * optimizer state and data sets stay resident in the backend's own memory. The trainer hands it an
 * epoch's pattern order and asks for *many* steps at once (`trainSteps`), and gets back only summed
 * metrics. Nothing here reads parameters per step; `getParams` is for the user, not the loop.
 */
import type { ActivationName } from './activations.ts';
import type { LossName } from './losses.ts';
import type { OptimizerConfig } from './optimizers.ts';
import type { Matrix } from './tensor.ts';

/** One dense layer as the backends see it. W is units × inputs, row-major: W[j*inputs + i] is i → j. */
export interface LayerSpec {
  inputs: number;
  units: number;
  activation: ActivationName;
  bias: boolean;
  /** leaky ReLU slope for v < 0 */
  alpha: number;
}

export interface NetworkSpec {
  layers: LayerSpec[];
  loss: LossName;
  optimizer: Required<OptimizerConfig>;
}

/** A layer's parameters on the host. `b` is empty (length 0) for a layer without bias. */
export interface LayerParams {
  W: Float32Array;
  b: Float32Array;
}

/** Sums over the patterns a call saw, so the trainer can average over any span it likes. */
export interface Metrics {
  /** Σ over patterns of the per-pattern loss E (before the step's update, as Keras reports it) */
  lossSum: number;
  /** patterns whose prediction was right (argmax, or y ≥ 0.5 against d ≥ 0.5 for a single output) */
  correct: number;
  /** patterns seen */
  count: number;
  /**
   * trainSteps only: layers (0-based) whose W or b holds a NaN or ±Infinity after the call, found in the
   * same readback as the metrics (no extra sync). Empty when all are finite.
   */
  nonFiniteLayers?: number[];
}

/** One layer's optimizer state (momentum's V or Adam's m, and Adam's v), for W and b; empty where unused. */
export interface LayerOptimizerState {
  mW: Float32Array;
  vW: Float32Array;
  mb: Float32Array;
  vb: Float32Array;
}

/** Everything a session's training depends on besides the data: what a checkpoint saves. */
export interface SessionState {
  params: LayerParams[];
  optimizer: LayerOptimizerState[];
  /** updates so far (Adam's bias-correction t) */
  t: number;
}

/**
 * 8-bit pixels, one pattern per row (IDX ubyte, the embedded digits, PNG). Backends keep them 8-bit and
 * scale to [0, 1] only when a batch is gathered, through the 256-entry table UNORM8 (src/backends/upload.ts),
 * so a byte b becomes exactly the float32 value of b/255 on every backend: 4× less memory than float32.
 */
export interface ByteMatrix {
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly cols: number;
}

/** Targets as class indices (one per row, 0..classes−1), expanded to one-hot rows when a batch is gathered. */
export interface ClassIndices {
  readonly indices: Uint8Array | Uint16Array | Uint32Array;
  readonly classes: number;
}

/** What `upload` takes: float32 or 8-bit inputs; float32 target rows or class indices. */
export type UploadInputs = Matrix | ByteMatrix;
export type UploadTargets = Matrix | ClassIndices;

/** A data set uploaded once. `y` may be omitted for prediction-only data. */
export interface DatasetHandle {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
  dispose(): void;
}

/** What one training step left behind, for traces like the lecture's XOR table (slow; debugging only). */
export interface StepTrace {
  /** per layer: net input v and output y of the last pattern(s), rows × units */
  v: Float32Array[];
  y: Float32Array[];
  /** per layer: δ = f'(v)·e in the lecture's sign (downhill) */
  delta: Float32Array[];
}

export interface TrainingSession {
  /**
   * Uploads a data set once; x is rows × inputs (float32, or 8-bit pixels), y rows × outputs (float32) or
   * one class index per row. A set larger than what the backend can hold at once (a GPU's binding limit or
   * the data budget) is kept on the host and streamed in chunks during each call, with the same results.
   */
  upload(x: UploadInputs, y?: UploadTargets): Promise<DatasetHandle>;
  /**
   * Runs `steps` consecutive mini-batches of `batchSize` patterns, taking patterns in `order`
   * (a permutation of the data set's rows) from position `start`. The last batch may be short.
   * Each step: forward, every delta (with pre-update weights), then every update.
   * Resolves with metrics summed over those patterns. A GPU backend encodes all steps in one submission.
   */
  trainSteps(data: DatasetHandle, order: Uint32Array, start: number, batchSize: number, steps: number): Promise<Metrics>;
  /** Loss and accuracy over a whole data set, no updates. */
  evaluate(data: DatasetHandle): Promise<Metrics>;
  /** Outputs for every row (rows × last layer's units). */
  predict(data: DatasetHandle): Promise<Float32Array>;
  getParams(): Promise<LayerParams[]>;
  /** Replaces the parameters and resets the optimizer state. */
  setParams(params: LayerParams[]): Promise<void>;
  /** Parameters, optimizer state and update count (for checkpoints). */
  getState(): Promise<SessionState>;
  /** Restores a getState() result exactly (resume from a checkpoint). */
  setState(state: SessionState): Promise<void>;
  /**
   * Undoes the most recent trainSteps call: parameters, optimizer state and t as they were before it
   * (each trainSteps snapshots them first; on the GPU a buffer copy in the same queue).
   */
  rollback(): Promise<void>;
  /** Values of the most recent training step (may read back; for traces and tests). */
  lastStep(): Promise<StepTrace>;
  dispose(): void;
}

export interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** What it runs on, for people: "CPU (float32, fast JS kernels)" or the adapter's vendor/architecture/description. */
  readonly description: string;
  /** true for a software adapter that emulates a GPU on the CPU (SwiftShader, lavapipe) */
  readonly isFallbackAdapter?: boolean;
  compile(spec: NetworkSpec, params: LayerParams[]): Promise<TrainingSession>;
  /** After a call failed: why the device is lost (GPU), or null if it is not. */
  deviceLost?(): Promise<string | null>;
  /**
   * Throws (naming the buffer and the limit) if `spec`'s parameters cannot exist on this backend. Called
   * before the host draws any initial weight, so a too-large model costs nothing; optional for custom backends.
   */
  checkSpec?(spec: NetworkSpec): void;
  dispose(): void;
}
