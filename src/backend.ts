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

/**
 * The layer kinds a network is a list of, as the backends see them. Every kind has the same five fields, so
 * the trainer, the buffer sizing and the output delta treat all kinds alike:
 *   inputs, units  the sizes of one pattern's input and output, flattened (for images C·H·W)
 *   activation     f applied to the layer's net input v (pooling, flatten and dropout: 'linear', y = v)
 *   bias, alpha    whether b exists; the leaky ReLU slope
 *
 * Images are NCHW, as in PyTorch and ONNX: a pattern's row holds channel after channel, each a row-major
 * H×W map, so pixel (c, y, x) of a [C, H, W] image is at (c·H + y)·W + x. A flatten is then the identity on
 * memory, and a dense layer after it reads PyTorch's flatten order (channel, row, column).
 *
 * Parameters (LayerParams) keep PyTorch's layouts, so saved tensors load into nn.Conv2d / nn.Linear by name:
 *   dense   W [units, inputs], b [units]
 *   conv2d  W [filters, channels, kh, kw], b [filters]
 *   others  W and b empty (length 0)
 */
export type LayerSpec = DenseSpec | Conv2dSpec | Pool2dSpec | FlattenSpec | DropoutSpec;
export type LayerKind = 'dense' | 'conv2d' | 'maxPool2d' | 'avgPool2d' | 'flatten' | 'dropout';

/** One dense layer: v = x·Wᵀ + b. W is units × inputs, row-major: W[j*inputs + i] is i → j. `kind` may be left out. */
export interface DenseSpec {
  kind?: 'dense';
  inputs: number;
  units: number;
  activation: ActivationName;
  bias: boolean;
  /** leaky ReLU slope for v < 0 */
  alpha: number;
}

/** [channels, height, width] of one pattern (NCHW without the N) */
export type ImageShape = readonly [number, number, number];

/**
 * A 2-D convolution (cross-correlation, as every framework computes it):
 *   v[f, oy, ox] = b[f] + Σ_c Σ_ky Σ_kx W[f, c, ky, kx] · x[c, oy·sy + ky − padTop, ox·sx + kx − padLeft]
 * with x read as 0 outside the image. outShape = [filters, oh, ow]; the bottom/right padding is whatever
 * makes that come out: (oh − 1)·sy + kh − h − padTop (≥ 0). 'same' padding follows Keras and PyTorch:
 * total = max((⌈h/sy⌉ − 1)·sy + kh − h, 0), padTop = ⌊total/2⌋, the odd pixel at the bottom/right.
 */
export interface Conv2dSpec {
  kind: 'conv2d';
  inShape: ImageShape;
  outShape: ImageShape;
  filters: number;
  kernel: readonly [number, number];
  stride: readonly [number, number];
  /** zero rows above and columns left of the image */
  padTop: number;
  padLeft: number;
  inputs: number;
  units: number;
  activation: ActivationName;
  bias: boolean;
  alpha: number;
}

/**
 * Max or average pooling over size windows moved by stride, no padding (Keras's 'valid'): oh = ⌊(h − ph)/sy⌋ + 1.
 * Max pooling sends a window's error to its first maximum (row-major order within the window), as the GPU does.
 */
export interface Pool2dSpec {
  kind: 'maxPool2d' | 'avgPool2d';
  inShape: ImageShape;
  outShape: ImageShape;
  size: readonly [number, number];
  stride: readonly [number, number];
  inputs: number;
  units: number;
  activation: 'linear';
  bias: false;
  alpha: number;
}

/** The identity on memory (NCHW rows are already PyTorch's flatten order); kept as a layer for shapes and names. */
export interface FlattenSpec {
  kind: 'flatten';
  inShape: ImageShape;
  inputs: number;
  units: number;
  activation: 'linear';
  bias: false;
  alpha: number;
}

/**
 * Inverted dropout, during training steps only: y = x·m/(1 − rate), with m = 1 where
 * dropoutKeeps(seed, layer, t, r·units + k, rate) (src/dropout-mask.ts), t the update count before this step,
 * r the row within the batch. evaluate and predict pass x through unchanged.
 */
export interface DropoutSpec {
  kind: 'dropout';
  rate: number;
  /** the model's seed; with the layer's position in the list it keys the mask */
  seed: number;
  inputs: number;
  units: number;
  activation: 'linear';
  bias: false;
  alpha: number;
}

/** Whether a layer is dense (an older spec may have no `kind`). */
export function isDense(layer: LayerSpec): layer is DenseSpec {
  return layer.kind === undefined || layer.kind === 'dense';
}

/** The kind of a layer, 'dense' for a spec without `kind`. */
export function kindOf(layer: LayerSpec): LayerKind {
  return layer.kind ?? 'dense';
}

/** Whether a layer has trainable parameters (dense and conv2d). */
export function hasParams(layer: LayerSpec): layer is DenseSpec | Conv2dSpec {
  return isDense(layer) || layer.kind === 'conv2d';
}

/** The number of weights W holds for a layer (0 for layers without parameters). */
export function weightCount(layer: LayerSpec): number {
  if (isDense(layer)) return layer.units * layer.inputs;
  if (layer.kind === 'conv2d') return layer.filters * layer.inShape[0] * layer.kernel[0] * layer.kernel[1];
  return 0;
}

/** The number of biases b holds (units for dense, filters for conv2d, 0 otherwise or without bias). */
export function biasCount(layer: LayerSpec): number {
  if (!layer.bias) return 0;
  if (isDense(layer)) return layer.units;
  if (layer.kind === 'conv2d') return layer.filters;
  return 0;
}

/** The tensor shapes of W and b as saved (PyTorch's layouts). */
export function paramShapes(layer: LayerSpec): { W: number[]; b: number[] } {
  if (isDense(layer)) return { W: [layer.units, layer.inputs], b: [biasCount(layer)] };
  if (layer.kind === 'conv2d') return { W: [layer.filters, layer.inShape[0], layer.kernel[0], layer.kernel[1]], b: [biasCount(layer)] };
  return { W: [0], b: [0] };
}

/** Whether every layer is dense: the networks the dense-only fast paths (WebAssembly session, ...) take. */
export function allDense(layers: readonly LayerSpec[]): layers is DenseSpec[] {
  return layers.every(isDense);
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
