/**
 * sequential([...layers], {seed}) → compile → fit / evaluate / predict: the Keras-shaped front door.
 * The model owns the seed, the layer list and, once compiled, a TrainingSession on some backend where its
 * parameters live. Everything a call needs is checked before the session is touched.
 */
import { checkLoss } from './losses.ts';
import type { LossName } from './losses.ts';
import { resolveOptimizer } from './optimizers.ts';
import type { OptimizerConfig, OptimizerName } from './optimizers.ts';
import { initialWeights } from './initializers.ts';
import { Random } from './random.ts';
import { toMatrix, takeRows } from './tensor.ts';
import type { Matrix, MatrixLike } from './tensor.ts';
import { train } from './trainer.ts';
import type { Callbacks, History, TraceStep } from './trainer.ts';
import { checkPositiveInteger, checkShapes } from './validate.ts';
import { createBackend } from './backends/select.ts';
import type { BackendChoice, WebGpuMatmulChoice } from './backends/select.ts';
import type { Backend, LayerParams, NetworkSpec, TrainingSession } from './backend.ts';
import type { DenseLayer } from './layers.ts';

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
  validationData?: [MatrixLike, MatrixLike];
  /** stop once an epoch's mean loss is ≤ this (the lectures' error tolerance) */
  stopAtLoss?: number;
  callbacks?: Callbacks;
  /** progress callbacks per epoch when onProgress is set (default 20); each costs one metrics readback */
  ticksPerEpoch?: number;
  /** called after every step with the step's values (forces one step per backend call: slow) */
  trace?: (t: TraceStep) => void;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
}

export class Sequential {
  readonly layers: readonly DenseLayer[];
  readonly seed: number;
  private params: LayerParams[];
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

  constructor(layers: DenseLayer[], options: { seed?: number } = {}) {
    if (layers.length === 0) throw new RangeError('sequential: a model needs at least one layer');
    layers.forEach((l, i) => {
      if (i > 0 && l.inputs !== layers[i - 1].units) {
        throw new RangeError(`sequential: layer ${i} expects ${l.inputs} inputs but layer ${i - 1} has ${layers[i - 1].units} units`);
      }
      if (l.activation === 'softmax' && i !== layers.length - 1) throw new RangeError(`sequential: softmax is for the output layer only (layer ${i})`);
    });
    this.layers = layers;
    this.seed = options.seed ?? 1;
    const rng = new Random(this.seed);
    this.params = layers.map((l) => ({ W: initialWeights(l.initializer, l.inputs, l.units, rng), b: new Float32Array(l.bias ? l.units : 0) }));
    this.shuffleRng = new Random(this.seed + 0x5eed);
  }

  get inputs(): number {
    return this.layers[0].inputs;
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  compile(options: CompileOptions): void {
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
    this.session = await this.backend.compile(this.compiled.spec, this.params);
    return this.session;
  }

  async fit(xIn: MatrixLike, yIn: MatrixLike, options: FitOptions = {}): Promise<History> {
    let x = toMatrix(xIn, 'x');
    let y = toMatrix(yIn, 'y');
    checkShapes(x, y, this.inputs, this.outputs);
    const epochs = checkPositiveInteger(options.epochs ?? 1, 'epochs');
    let validation: [Matrix, Matrix] | null = null;
    if (options.validationData) {
      validation = [toMatrix(options.validationData[0], 'validation x'), toMatrix(options.validationData[1], 'validation y')];
      checkShapes(validation[0], validation[1], this.inputs, this.outputs, 'validation x');
    } else if (options.validationSplit !== undefined) {
      const f = options.validationSplit;
      if (!(f > 0 && f < 1)) throw new RangeError(`validationSplit must be between 0 and 1 (exclusive), got ${f}`);
      const nVal = Math.floor(x.rows * f);
      if (nVal < 1 || nVal >= x.rows) throw new RangeError(`validationSplit ${f} of ${x.rows} patterns leaves no validation or no training data`);
      const head = Array.from({ length: x.rows - nVal }, (_, i) => i);
      const tail = Array.from({ length: nVal }, (_, i) => x.rows - nVal + i);
      validation = [takeRows(x, tail), takeRows(y, tail)];
      [x, y] = [takeRows(x, head), takeRows(y, head)];
    }
    const bs = options.batchSize ?? 32;
    const batchSize = bs === 'full' ? x.rows : Math.min(checkPositiveInteger(bs, "batchSize (a positive integer or 'full')"), x.rows);
    if (options.stopAtLoss !== undefined && !Number.isFinite(options.stopAtLoss)) throw new RangeError(`stopAtLoss must be a finite number, got ${options.stopAtLoss}`);
    const ticksPerEpoch = options.callbacks?.onProgress ? checkPositiveInteger(options.ticksPerEpoch ?? 20, 'ticksPerEpoch') : 1;

    const session = await this.ensureSession();
    const trainData = await session.upload(x, y);
    const valData = validation ? await session.upload(validation[0], validation[1]) : null;
    try {
      return await train(session, {
        train: trainData,
        validation: valData,
        epochs,
        batchSize,
        shuffle: options.shuffle ?? true,
        rng: this.shuffleRng,
        stopAtLoss: options.stopAtLoss ?? null,
        ticksPerEpoch,
        callbacks: options.callbacks ?? {},
        trace: options.trace ?? null,
      });
    } finally {
      trainData.dispose();
      valData?.dispose();
    }
  }

  async evaluate(xIn: MatrixLike, yIn: MatrixLike): Promise<EvaluateResult> {
    const x = toMatrix(xIn, 'x');
    const y = toMatrix(yIn, 'y');
    checkShapes(x, y, this.inputs, this.outputs);
    const session = await this.ensureSession();
    const data = await session.upload(x, y);
    try {
      const m = await session.evaluate(data);
      return { loss: m.lossSum / m.count, accuracy: m.correct / m.count };
    } finally {
      data.dispose();
    }
  }

  async predict(xIn: MatrixLike): Promise<Matrix> {
    const x = toMatrix(xIn, 'x');
    checkShapes(x, null, this.inputs, this.outputs);
    const session = await this.ensureSession();
    const data = await session.upload(x);
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

  /** Frees the backend's memory (GPU buffers); the model keeps its weights (on the host) for later use. */
  async dispose(): Promise<void> {
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

export function sequential(layers: DenseLayer[], options: { seed?: number } = {}): Sequential {
  return new Sequential(layers, options);
}
