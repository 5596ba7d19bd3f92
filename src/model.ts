/**
 * sequential([...layers], {seed}) → compile → fit / evaluate / predict: the Keras-shaped front door.
 * The model owns the seed, the layer list and, once compiled, a TrainingSession on some backend where its
 * parameters live. Everything a call needs is checked before the session is touched.
 */
import { checkLoss } from './losses.ts';
import type { LossName } from './losses.ts';
import { resolveOptimizer } from './optimizers.ts';
import { drawWeights, initialWeights } from './initializers.ts';
import { Random } from './random.ts';
import type { Matrix } from './tensor.ts';
import { asFloatMatrix, checkData, takeInputRows, takeTargetRows, toInputs, toTargets } from './inputs.ts';
import type { InputsLike, TargetsLike } from './inputs.ts';
import { train } from './trainer.ts';
import type { History } from './trainer.ts';
import { checkFitOptions, checkParamList, checkPositiveInteger, checkProbabilityTargets } from './validate.ts';
import { checkLayerList, checkModelSize, checkRowsThroughLayers, modelInputShape } from './spec-check.ts';
import { checkBackendOption, createBackend } from './backends/select.ts';
import { isClassIndices } from './backends/upload.ts';
import { biasCount, isDense, paramShapes, weightCount } from './backend.ts';
import type { Backend, ImageShape, LayerParams, LayerSpec, NetworkSpec, TrainingSession, UploadInputs, UploadTargets } from './backend.ts';
import { inferShapes } from './layers/shapes.ts';
import type { Layer, ModelLayer } from './layers/shapes.ts';
import type { InputShape } from './layers/common.ts';
import { summaryTable } from './layers/summary.ts';
import type { RbfLayer } from './rbf/rbf.ts';
import { checkpointing, resumePoint } from './checkpoint/fit.ts';
import type { Checkpoint, CheckpointRun } from './checkpoint/state.ts';
import { DeviceLostError, ModelBusyError } from './errors.ts';
import type { CompileOptions, EvaluateResult, FitOptions } from './model-options.ts';

export type { CompileOptions, EvaluateResult, FitOptions } from './model-options.ts';

/** sequential's options: the seed of every random draw, and the input shape if no layer gives it. */
export interface SequentialOptions {
  seed?: number;
  /** one pattern's shape, Keras's order: [height, width, channels] for images, n (or [n]) for flat rows */
  inputShape?: InputShape;
}

export class Sequential {
  /** every layer with its inferred shapes: a LayerSpec plus its name, initializer and output shape */
  readonly layers: readonly ModelLayer[];
  /** what compile() hands the backend: every shape inferred (conv W is [F, C, kh, kw], as getWeights returns it) */
  readonly layerSpecs: readonly LayerSpec[];
  /** [C, H, W] of one pattern (NCHW) for a model whose input is an image; null for flat input rows */
  readonly inputShape: ImageShape | null;
  /** the width of one input row after the rbf layer, if any (C·H·W for an image) */
  private readonly layerInputs: number;
  /**
   * An rbf(...) first layer, if any: a fixed map x → φ (centres by k-means at the first fit, see
   * src/rbf/rbf.ts) computed on the model's backend before the dense layers, which alone train.
   */
  readonly front: RbfLayer | null;
  readonly seed: number;
  /** the host copy of the weights; drawn on first use (see `params`) */
  private hostParams: LayerParams[] | null = null;
  private compiled: (CompileOptions & { spec: NetworkSpec }) | null = null;
  private backend: Backend | null = null;
  private session: TrainingSession | null = null;
  /**
   * A session replaced by a re-compile, whose parameters are the model's current ones. compile() is
   * synchronous (as in Keras) but reading a GPU is not, so they are fetched at the next call that needs them.
   */
  private retired: { session: TrainingSession; backend: Backend | null; owned: boolean } | null = null;
  /** the generator behind each epoch's shuffle; seeded apart from the weights so epochs never shift them */
  private shuffleRng: Random;
  /** set while a fit runs: a second one (and evaluate, predict, setWeights) is refused, and dispose() waits for it to stop */
  private fitting = false;
  private disposeRequested = false;

  constructor(layersIn: (Layer | RbfLayer)[], options: SequentialOptions = {}) {
    // an rbf(...) layer may stand first (a fixed map x → φ); the layers after it are checked as usual
    const list: unknown = layersIn;
    const front = Array.isArray(list) && (list[0] as { kind?: unknown } | null)?.kind === 'rbf' ? (list[0] as RbfLayer) : null;
    const rest: unknown = front ? (list as unknown[]).slice(1) : list;
    if (front && (rest as unknown[]).length === 0) throw new RangeError('sequential: an rbf layer needs a dense output layer after it');
    if (Array.isArray(rest) && rest.some((l) => (l as { kind?: unknown } | null)?.kind === 'rbf')) {
      throw new RangeError('sequential: an rbf layer can only be the first layer');
    }
    checkLayerList(rest, options);
    const first = rest[0];
    if (front && first.kind === 'dense' && first.inputs !== null && first.inputs !== front.units) {
      throw new RangeError(`sequential: layer 1 expects ${first.inputs} inputs but the rbf layer has ${front.units} centres`);
    }
    this.front = front;
    this.seed = options.seed ?? 1;
    // every shape from the input shape, every size error by name, before anything is allocated
    const inferred = inferShapes(rest, front ? { flat: front.units } : modelInputShape(options), this.seed);
    checkModelSize(inferred.specs);
    this.layers = inferred.layers;
    this.layerSpecs = inferred.specs;
    this.inputShape = inferred.inputShape;
    this.layerInputs = inferred.inputs;
    this.shuffleRng = new Random(this.seed + 0x5eed);
  }

  /**
   * The weights on the host, drawn from the seed at first use rather than in the constructor: a backend
   * checks the declared sizes against its limits first (ensureSession), so a model too big for the GPU is
   * refused before gigabytes of host weights exist. The values are the same either way (their own generator).
   */
  private get params(): LayerParams[] {
    if (!this.hostParams) {
      // one generator, layer by layer; layers without parameters draw nothing (a dense-only model draws what it always did)
      const rng = new Random(this.seed);
      this.hostParams = this.layers.map((l) => {
        const b = new Float32Array(biasCount(l));
        if (l.initializer === null) return { W: new Float32Array(0), b };
        if (isDense(l)) return { W: initialWeights(l.initializer, l.inputs, l.units, rng), b };
        if (l.kind !== 'conv2d') throw new Error(`${l.name} has an initializer but no parameters`);
        const field = l.kernel[0] * l.kernel[1]; // Keras's receptive field: fan_in = C·kh·kw, fan_out = F·kh·kw
        return { W: drawWeights(l.initializer, weightCount(l), l.inShape[0] * field, l.filters * field, rng), b };
      });
    }
    return this.hostParams;
  }

  private set params(p: LayerParams[]) {
    this.hostParams = p;
  }

  get inputs(): number {
    return this.front?.inputs ?? this.layerInputs;
  }

  /** x as the dense layers see it: through the rbf layer's φ when there is one (on the model's backend). */
  private async frontFeatures(x: UploadInputs): Promise<UploadInputs> {
    return this.front ? this.front.features(asFloatMatrix(x), this.backend) : x;
  }

  /**
   * The data's shapes against the model's. A conv net takes flat rows of C·H·W values (NCHW: channel, row,
   * column; a 784-wide MNIST row is a [1, 28, 28] image), so a wrong width is told in the image's terms.
   */
  private checkData(x: UploadInputs, y: UploadTargets | null, what = 'x'): void {
    const s = this.front ? null : this.inputShape;
    if (s && x.cols !== this.inputs) {
      throw new RangeError(
        `${what} has ${x.cols} columns but the model's input is a ${s[1]}×${s[2]}×${s[0]} image (height × width × channels): ` +
          `rows of ${this.inputs} values, channel after channel, each a row-major ${s[1]}×${s[2]} map`,
      );
    }
    checkData(x, y, this.inputs, this.outputs, what);
  }

  /** Cross-entropy needs targets in [0, 1]; class indices are one-hot, so only target rows are looked at. */
  private checkTargetRange(y: UploadTargets, what: string): void {
    if (this.compiled && !isClassIndices(y)) checkProbabilityTargets(y, this.compiled.spec.loss, what);
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  compile(options: CompileOptions): void {
    if (typeof options !== 'object' || options === null) throw new TypeError(`compile: options must be an object such as {loss: 'meanSquared'}, got ${options === null ? 'null' : typeof options}`);
    checkBackendOption(options.backend);
    const loss = checkLoss(options.loss);
    const optimizer = resolveOptimizer(options.optimizer);
    const spec: NetworkSpec = {
      layers: [...this.layerSpecs],
      loss,
      optimizer,
    };
    this.retireSession();
    this.compiled = { ...options, spec };
  }

  /** The loss and the resolved optimizer, once compiled (saved with the model). */
  get training(): { loss: LossName; optimizer: NetworkSpec['optimizer'] } | null {
    return this.compiled ? { loss: this.compiled.spec.loss, optimizer: this.compiled.spec.optimizer } : null;
  }

  /** The backend the model trains on (created at the first fit/evaluate/predict). */
  get backendName(): string | null {
    return this.backend?.name ?? null;
  }

  get backendDescription(): string | null {
    return this.backend?.description ?? null;
  }

  private async ensureSession(): Promise<TrainingSession> {
    if (!this.compiled) throw new Error('the model is not compiled: call model.compile({loss, optimizer}) first');
    if (this.session) return this.session;
    await this.settle();
    const choice = this.compiled.backend ?? 'auto';
    this.backend = typeof choice === 'object' ? choice : await createBackend(choice, this.compiled.onNotice ?? ((m) => console.warn(m)), { matmul: this.compiled.matmul });
    this.backend.checkSpec?.(this.compiled.spec); // sizes against the backend's limits, before any weight is drawn
    this.session = await this.backend.compile(this.compiled.spec, this.params);
    return this.session;
  }

  /**
   * x: rows of inputs (nested arrays, a float32 matrix, or 8-bit pixels {bytes, rows, cols}, scaled to [0, 1]
   * as b/255); y: target rows, or class indices {indices, classes} for one-hot targets. Bytes and indices
   * stay in their own width all the way to the backend.
   */
  async fit(xIn: InputsLike, yIn: TargetsLike, options: FitOptions = {}): Promise<History> {
    if (this.fitting) throw new ModelBusyError('fit');
    if (this.disposeRequested) throw new Error('fit: the model is being disposed');
    this.fitting = true;
    try {
      return await this.fitNow(xIn, yIn, options);
    } finally {
      this.fitting = false;
      if (this.disposeRequested) {
        this.disposeRequested = false;
        await this.dispose();
      }
    }
  }

  private async fitNow(xIn: InputsLike, yIn: TargetsLike, options: FitOptions): Promise<History> {
    checkFitOptions(options);
    let x = toInputs(xIn, 'x');
    let y = toTargets(yIn, 'y');
    this.checkData(x, y);
    this.checkTargetRange(y, 'y');
    const epochs = checkPositiveInteger(options.epochs ?? 1, 'epochs');
    let validation: [UploadInputs, UploadTargets] | null = null;
    if (options.validationData) {
      validation = [toInputs(options.validationData[0], 'validation x'), toTargets(options.validationData[1], 'validation y')];
      this.checkData(validation[0], validation[1], 'validation x');
      this.checkTargetRange(validation[1], 'validation y');
    } else if (options.validationSplit !== undefined) {
      const f = options.validationSplit;
      if (!(f > 0 && f < 1)) throw new RangeError(`validationSplit must be between 0 and 1 (exclusive), got ${f}`);
      const nVal = Math.floor(x.rows * f);
      if (nVal < 1 || nVal >= x.rows) throw new RangeError(`validationSplit ${f} of ${x.rows} patterns leaves no validation or no training data`);
      const head = Array.from({ length: x.rows - nVal }, (_, i) => i);
      const tail = Array.from({ length: nVal }, (_, i) => x.rows - nVal + i);
      validation = [takeInputRows(x, tail), takeTargetRows(y, tail)];
      [x, y] = [takeInputRows(x, head), takeTargetRows(y, head)];
    }
    const bs = options.batchSize ?? 32;
    const batchSize = bs === 'full' ? x.rows : Math.min(checkPositiveInteger(bs, "batchSize (a positive integer or 'full')"), x.rows);
    checkRowsThroughLayers(this.layers, batchSize, 'fit');
    if (options.stopAtLoss !== undefined && !Number.isFinite(options.stopAtLoss)) throw new RangeError(`stopAtLoss must be a finite number, got ${options.stopAtLoss}`);
    const ticksPerEpoch = options.callbacks?.onProgress ? checkPositiveInteger(options.ticksPerEpoch ?? 20, 'ticksPerEpoch') : 1;
    const onNonFinite = options.onNonFinite ?? 'stop';
    if (onNonFinite !== 'stop' && onNonFinite !== 'warn') throw new RangeError(`onNonFinite must be 'stop' or 'warn', got ${String(onNonFinite)}`);
    if (!this.compiled) throw new Error('the model is not compiled: call model.compile({loss, optimizer}) first');
    const shuffle = options.shuffle ?? true;
    const run: CheckpointRun = { network: this.compiled.spec, seed: this.seed, batchSize, shuffle, rows: x.rows };
    const resume = await resumePoint(options.resumeFrom, run, epochs);

    const session = await this.ensureSession();
    if (this.front) {
      await this.front.adapt(asFloatMatrix(x), this.backend);
      x = await this.frontFeatures(x);
      if (validation) validation[0] = await this.frontFeatures(validation[0]);
    }
    const checkpoint = await checkpointing(options.checkpoint, run, () => session);
    const backend = this.backend;
    if (resume) {
      await session.setState(resume.state);
      this.shuffleRng.setState(resume.rng);
    }
    const trainData = await session.upload(x, y);
    const valData = validation ? await session.upload(validation[0], validation[1]) : null;
    try {
      return await train(session, {
        onNonFinite,
        warn: this.compiled.onNotice ?? ((m) => console.warn(m)),
        resume,
        checkpoint,
        stopRequested: () => (this.disposeRequested ? 'disposed' : options.signal?.aborted ? 'aborted' : null),
        deviceLost: async () => (await backend?.deviceLost?.()) ?? null,
        train: trainData,
        validation: valData,
        epochs,
        batchSize,
        shuffle,
        rng: this.shuffleRng,
        stopAtLoss: options.stopAtLoss ?? null,
        ticksPerEpoch,
        callbacks: options.callbacks ?? {},
        trace: options.trace ?? null,
      });
    } catch (err) {
      if (err instanceof DeviceLostError) this.forgetLostSession(err.checkpoint);
      throw err;
    } finally {
      trainData.dispose();
      valData?.dispose();
    }
  }

  /**
   * After a device loss nothing on the device can be read: the model drops its session and backend (the
   * next call makes new ones) and takes the last checkpoint's weights, if there is one.
   */
  private forgetLostSession(ck: Checkpoint | null): void {
    try {
      this.session?.dispose();
      if (this.ownsBackend()) this.backend?.dispose();
    } catch {
      /* the device is gone; freeing its buffers may fail and does not matter */
    }
    this.session = null;
    this.backend = null;
    if (ck) this.params = ck.state.params.map((p) => ({ W: p.W.slice(), b: p.b.slice() }));
  }

  async evaluate(xIn: InputsLike, yIn: TargetsLike): Promise<EvaluateResult> {
    if (this.fitting) throw new ModelBusyError('evaluate');
    const x = toInputs(xIn, 'x');
    const y = toTargets(yIn, 'y');
    this.checkData(x, y);
    this.checkTargetRange(y, 'y');
    const session = await this.ensureSession();
    const data = await session.upload(await this.frontFeatures(x), y);
    try {
      const m = await session.evaluate(data);
      return { loss: m.lossSum / m.count, accuracy: m.correct / m.count };
    } finally {
      data.dispose();
    }
  }

  async predict(xIn: InputsLike): Promise<Matrix> {
    if (this.fitting) throw new ModelBusyError('predict');
    const x = toInputs(xIn, 'x');
    this.checkData(x, null);
    checkRowsThroughLayers(this.layers, x.rows, 'predict');
    const session = await this.ensureSession();
    const data = await session.upload(await this.frontFeatures(x));
    try {
      return { data: await session.predict(data), rows: x.rows, cols: this.outputs };
    } finally {
      data.dispose();
    }
  }

  /** Copies of every layer's W (units × inputs, row-major) and b, from wherever they live. */
  async getWeights(): Promise<LayerParams[]> {
    if (this.session) return this.session.getParams();
    await this.settle();
    return this.params.map((p) => ({ W: p.W.slice(), b: p.b.slice() }));
  }

  /** Replaces every layer's parameters (and resets the optimizer's state). Checked first, applied whole. */
  async setWeights(params: LayerParams[]): Promise<void> {
    if (this.fitting) throw new ModelBusyError('setWeights');
    checkParamList(params, this.layers.length);
    if (!Array.isArray(params) || params.length !== this.layers.length) {
      throw new RangeError(`setWeights: expected ${this.layers.length} layers of {W, b}, got ${Array.isArray(params) ? params.length : typeof params}`);
    }
    const copy = params.map((p, l) => {
      const L = this.layers[l];
      const W = Float32Array.from(p.W);
      const b = Float32Array.from(p.b ?? []);
      const shape = paramShapes(L).W.join('×');
      if (W.length !== weightCount(L)) throw new RangeError(`setWeights: layer ${l} W has ${W.length} values, expected ${shape} = ${weightCount(L)} (${L.name})`);
      if (b.length !== biasCount(L)) throw new RangeError(`setWeights: layer ${l} b has ${b.length} values, expected ${biasCount(L)}`);
      [...W, ...b].forEach((v) => {
        if (!Number.isFinite(v)) throw new RangeError(`setWeights: layer ${l} has a non-finite value ${v}`);
      });
      return { W, b };
    });
    await this.settle();
    this.params = copy;
    if (this.session) await this.session.setParams(copy);
  }

  /**
   * The model as an ONNX file's bytes (opset 13, src/onnx/): input `input` [N, features] or [N, C, H, W],
   * output `output`. Loaded on first use, so models that never export do not carry the ONNX schema.
   */
  async toOnnx(): Promise<Uint8Array> {
    const { exportOnnx } = await import('./onnx/export.ts');
    return exportOnnx(this);
  }

  /** A Keras-style table: each layer's name, output shape (Keras's order h, w, c), activation and parameters. */
  summary(): string {
    const f = this.front;
    return summaryTable(this.layers, f ? `  rbf      ${String(f.inputs).padStart(5)} → ${String(f.units).padEnd(5)} ${f.basis.padEnd(10)} ${f.units * (f.inputs + 1)} fixed (centres and σ)` : null);
  }

  /** Whether the model made its backend (and so disposes it), rather than being handed one. */
  private ownsBackend(): boolean {
    return this.compiled?.backend === undefined || typeof this.compiled.backend === 'string';
  }

  private retireSession(): void {
    if (!this.session) return;
    this.retired = { session: this.session, backend: this.backend, owned: this.ownsBackend() };
    this.session = null;
    this.backend = null;
  }

  /** Brings a retired session's parameters home and frees it. */
  private async settle(): Promise<void> {
    const r = this.retired;
    if (!r) return;
    this.retired = null;
    this.params = await r.session.getParams();
    r.session.dispose();
    if (r.owned) r.backend?.dispose();
  }

  /**
   * Frees the backend's memory (GPU buffers); the model keeps its weights (on the host) for later use.
   * During a fit (e.g. from a callback) it asks the fit to stop at its next tick, which then rejects with
   * TrainingStoppedError and frees everything; this call returns at once so a callback can await it.
   */
  async dispose(): Promise<void> {
    if (this.fitting) {
      this.disposeRequested = true;
      return;
    }
    await this.settle();
    if (this.session) {
      this.params = await this.session.getParams();
      this.session.dispose();
      if (this.ownsBackend()) this.backend?.dispose();
    }
    this.session = null;
    this.backend = null;
  }
}

export function sequential(layers: (Layer | RbfLayer)[], options: SequentialOptions = {}): Sequential {
  return new Sequential(layers, options);
}
