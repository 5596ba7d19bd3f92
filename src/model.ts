/**
 * sequential([...layers], {seed}) → compile → fit / evaluate / predict: the Keras-shaped front door.
 * The model owns the seed, the layer list and, once compiled, a TrainingSession on some backend where its
 * parameters live. Everything a call needs is checked before the session is touched.
 */
import { checkLoss } from './losses.ts';
import type { LossName } from './losses.ts';
import { resolveOptimizer } from './optimizers.ts';
import { initialWeights } from './initializers.ts';
import { Random } from './random.ts';
import type { Matrix } from './tensor.ts';
import { asFloatMatrix, checkData, takeInputRows, takeTargetRows, toInputs, toTargets } from './inputs.ts';
import type { InputsLike, TargetsLike } from './inputs.ts';
import { train } from './trainer.ts';
import type { History } from './trainer.ts';
import { checkFitOptions, checkParamList, checkPositiveInteger, checkProbabilityTargets } from './validate.ts';
import { checkLayerList, checkModelSize, checkRowsThroughLayers } from './spec-check.ts';
import { checkBackendOption, createBackend } from './backends/select.ts';
import { isClassIndices } from './backends/upload.ts';
import type { Backend, LayerParams, NetworkSpec, TrainingSession, UploadInputs, UploadTargets } from './backend.ts';
import type { DenseLayer } from './layers.ts';
import type { RbfLayer } from './rbf/rbf.ts';
import { checkpointing, resumePoint } from './checkpoint/fit.ts';
import type { Checkpoint, CheckpointRun } from './checkpoint/state.ts';
import { DeviceLostError, ModelBusyError } from './errors.ts';
import type { CompileOptions, EvaluateResult, FitOptions } from './model-options.ts';

export type { CompileOptions, EvaluateResult, FitOptions } from './model-options.ts';

export class Sequential {
  readonly layers: readonly DenseLayer[];
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

  constructor(layersIn: (DenseLayer | RbfLayer)[], options: { seed?: number } = {}) {
    // an rbf(...) layer may stand first (a fixed map x → φ); everything else is checked as dense layers
    const list: unknown = layersIn;
    const front = Array.isArray(list) && (list[0] as { kind?: unknown } | null)?.kind === 'rbf' ? (list[0] as RbfLayer) : null;
    const rest: unknown = front ? (list as unknown[]).slice(1) : list;
    if (front && (rest as unknown[]).length === 0) throw new RangeError('sequential: an rbf layer needs a dense output layer after it');
    if (Array.isArray(rest) && rest.some((l) => (l as { kind?: unknown } | null)?.kind === 'rbf')) {
      throw new RangeError('sequential: an rbf layer can only be the first layer');
    }
    checkLayerList(rest, options);
    const layers = rest;
    if (front && layers[0].inputs !== front.units) {
      throw new RangeError(`sequential: layer 1 expects ${layers[0].inputs} inputs but the rbf layer has ${front.units} centres`);
    }
    this.front = front;
    layers.forEach((l, i) => {
      if (i > 0 && l.inputs !== layers[i - 1].units) {
        throw new RangeError(`sequential: layer ${i} expects ${l.inputs} inputs but layer ${i - 1} has ${layers[i - 1].units} units`);
      }
      if (l.activation === 'softmax' && i !== layers.length - 1) throw new RangeError(`sequential: softmax is for the output layer only (layer ${i})`);
    });
    checkModelSize(layers);
    this.layers = layers;
    this.seed = options.seed ?? 1;
    this.shuffleRng = new Random(this.seed + 0x5eed);
  }

  /**
   * The weights on the host, drawn from the seed at first use rather than in the constructor: a backend
   * checks the declared sizes against its limits first (ensureSession), so a model too big for the GPU is
   * refused before gigabytes of host weights exist. The values are the same either way (their own generator).
   */
  private get params(): LayerParams[] {
    if (!this.hostParams) {
      const rng = new Random(this.seed);
      this.hostParams = this.layers.map((l) => ({ W: initialWeights(l.initializer, l.inputs, l.units, rng), b: new Float32Array(l.bias ? l.units : 0) }));
    }
    return this.hostParams;
  }

  private set params(p: LayerParams[]) {
    this.hostParams = p;
  }

  get inputs(): number {
    return this.front?.inputs ?? this.layers[0].inputs;
  }

  /** x as the dense layers see it: through the rbf layer's φ when there is one (on the model's backend). */
  private async frontFeatures(x: UploadInputs): Promise<UploadInputs> {
    return this.front ? this.front.features(asFloatMatrix(x), this.backend) : x;
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
      layers: this.layers.map((l) => ({ inputs: l.inputs, units: l.units, activation: l.activation, bias: l.bias, alpha: l.alpha })),
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
    checkData(x, y, this.inputs, this.outputs);
    this.checkTargetRange(y, 'y');
    const epochs = checkPositiveInteger(options.epochs ?? 1, 'epochs');
    let validation: [UploadInputs, UploadTargets] | null = null;
    if (options.validationData) {
      validation = [toInputs(options.validationData[0], 'validation x'), toTargets(options.validationData[1], 'validation y')];
      checkData(validation[0], validation[1], this.inputs, this.outputs, 'validation x');
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
    checkData(x, y, this.inputs, this.outputs);
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
    checkData(x, null, this.inputs, this.outputs);
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
      if (W.length !== L.units * L.inputs) throw new RangeError(`setWeights: layer ${l} W has ${W.length} values, expected ${L.units}×${L.inputs} = ${L.units * L.inputs}`);
      if (b.length !== (L.bias ? L.units : 0)) throw new RangeError(`setWeights: layer ${l} b has ${b.length} values, expected ${L.bias ? L.units : 0}`);
      [...W, ...b].forEach((v) => {
        if (!Number.isFinite(v)) throw new RangeError(`setWeights: layer ${l} has a non-finite value ${v}`);
      });
      return { W, b };
    });
    await this.settle();
    this.params = copy;
    if (this.session) await this.session.setParams(copy);
  }

  /** A Keras-style table of the layers and parameter counts. */
  summary(): string {
    const rows = this.layers.map((l, i) => `  dense_${i}  ${String(l.inputs).padStart(5)} → ${String(l.units).padEnd(5)} ${l.activation.padEnd(10)} ${l.units * l.inputs + (l.bias ? l.units : 0)} params`);
    if (this.front) rows.unshift(`  rbf      ${String(this.front.inputs).padStart(5)} → ${String(this.front.units).padEnd(5)} ${this.front.basis.padEnd(10)} ${this.front.units * (this.front.inputs + 1)} fixed (centres and σ)`);
    const total = this.layers.reduce((s, l) => s + l.units * l.inputs + (l.bias ? l.units : 0), 0);
    return [...rows, `  total ${total} parameters`].join('\n');
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

export function sequential(layers: (DenseLayer | RbfLayer)[], options: { seed?: number } = {}): Sequential {
  return new Sequential(layers, options);
}
