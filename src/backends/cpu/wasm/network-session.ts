/**
 * The WebAssembly CPU session for networks of any layer kinds (conv2d, pooling, flatten, dropout, dense): the
 * fast CPU path for convolutional nets. A network of dense layers only takes session.ts (WasmCpuSession), which
 * this mirrors step for step: forward through every layer; the output δ; for l = last..1 the error at layer
 * l−1's outputs from δ_l through layer l (parameters before the update), then δ_{l−1} = f'(v_{l−1})·e; then
 * every layer's fused update. Each kind's calls are in layers.ts and conv2d.ts.
 *
 * Images are NHWC inside (conv2d-simd.as.ts says why); the batch is turned from the contract's NCHW rows when
 * the first layer takes an image with more than one channel, a flatten turns NHWC back into NCHW, and the
 * parameters are permuted on the way in and out (getParams, getState and setState speak PyTorch's layouts).
 * lastStep turns image layers' arrays back into NCHW rows, so its trace reads as the contract's.
 */
import { activate, softmaxRows } from '../../../activations.ts';
import type { DatasetHandle, LayerParams, LayerSpec, Metrics, NetworkSpec, SessionState, StepTrace, TrainingSession, UploadInputs, UploadTargets } from '../../../backend.ts';
import { biasCount, hasParams, isDense } from '../../../backend.ts';
import { fusesToTargetMinusOutput } from '../../../losses.ts';
import { CpuDataset, uploadCpuDataset } from '../dataset.ts';
import { hiddenDelta, outputDelta } from '../dense.ts';
import { batchMetrics, sweepMetrics, sweepOutputs } from '../network.ts';
import { Conv2dLayer } from './conv2d.ts';
import { gatherWasmBatch } from './gather.ts';
import { DenseLayer, DropoutLayer, FlattenLayer, Pool2dLayer, WasmLayer, derivativeId, nhwc, outputIsV, run } from './layers.ts';
import type { Image, LayerScratch, ParamMemory, StepContext } from './layers.ts';
import { Arena } from './memory.ts';
import type { Region } from './memory.ts';
import { FORWARD_IN_WASM, OPTIMIZER_ID } from './session.ts';
import { ThreadPool } from './threads.ts';

/**
 * The session's layer objects for a spec, or why it cannot take it (then the backend uses another session):
 * a conv or pooling layer must get an image (the data, or another image layer's output), a dense layer flat
 * rows (a flatten between them), softmax only on the last layer, and the last layer's outputs flat.
 */
export function planLayers(layers: readonly LayerSpec[]): WasmLayer[] | string {
  const out: WasmLayer[] = [];
  let image: Image = null;
  for (const [l, spec] of layers.entries()) {
    if (spec.activation === 'softmax' && l < layers.length - 1) return `softmax on hidden layer ${l}`;
    if (isDense(spec)) {
      if (image) return `dense layer ${l} directly after an image layer (no flatten)`;
      out.push(new DenseLayer(spec, l));
    } else if (spec.kind === 'conv2d' || spec.kind === 'maxPool2d' || spec.kind === 'avgPool2d') {
      if (!image && l > 0) return `${spec.kind} layer ${l} after a flat layer`;
      if (spec.kind === 'conv2d') out.push(new Conv2dLayer(spec, l));
      else out.push(new Pool2dLayer(spec, l));
    } else if (spec.kind === 'flatten') {
      // a first-layer flatten gets the data as it came, NCHW rows, which already are its output order (only
      // an image layer's output is NHWC here: inputImage transposes the data for a first conv or pooling only)
      out.push(new FlattenLayer(spec, l, image));
    } else if (spec.kind === 'dropout') {
      out.push(new DropoutLayer(spec, l, image));
    } else {
      return `layer kind '${String((spec as { kind?: string }).kind)}'`;
    }
    image = out[l].image;
  }
  if (image) return 'the last layer outputs an image';
  return out;
}

/** A batch's patterns, targets and every layer's arrays. */
interface Scratch {
  capacity: number;
  x: Region;
  /** the batch in NHWC when the first layer takes a multi-channel image (else x itself) */
  xImage: Region;
  xBytes: Region;
  d: Region;
  layers: LayerScratch[];
}

const orphans = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.dispose()) : null;

export class WasmNetworkSession implements TrainingSession {
  private readonly params: (ParamMemory | null)[];
  private readonly cfg: Region;
  private scratch: Record<'train' | 'infer', Scratch>;
  private t = 0;
  private lastRows = 0;
  private before: SessionState | null = null;
  /** the first layer's input image [H, W, C] when it needs NHWC from NCHW rows (more than one channel) */
  private readonly inputImage: Image;

  private constructor(
    private readonly spec: NetworkSpec,
    private readonly layers: WasmLayer[],
    private readonly arena: Arena,
    private readonly pool: ThreadPool,
  ) {
    const a = arena;
    const o = spec.optimizer;
    this.cfg = a.alloc(16);
    this.params = layers.map((layer) => {
      if (!hasParams(layer.spec)) return null;
      const n = layer.internalWeights;
      const nb = biasCount(layer.spec);
      const state = (k: number, used: boolean) => a.alloc(used ? k : 0);
      return { W: a.alloc(n), b: a.alloc(nb), mW: state(n, o.type !== 'sgd'), sW: state(n, o.type === 'adam'), mb: state(nb, o.type !== 'sgd'), sb: state(nb, o.type === 'adam') };
    });
    const first = spec.layers[0];
    const firstImage = first.kind === 'conv2d' || first.kind === 'maxPool2d' || first.kind === 'avgPool2d';
    this.inputImage = firstImage && first.inShape[0] > 1 ? nhwc(first.inShape) : null;
    this.scratch = { train: this.newScratch(0), infer: this.newScratch(0) };
  }

  /** The session, or null where planLayers cannot take the spec (the reason in `why`). */
  static async create(spec: NetworkSpec, params: LayerParams[], threads: number): Promise<WasmNetworkSession> {
    const layers = planLayers(spec.layers);
    if (typeof layers === 'string') throw new Error(`the WebAssembly network session cannot run this network: ${layers}`);
    const arena = new Arena(threads > 1);
    const pool = await ThreadPool.start(arena, threads);
    const session = new WasmNetworkSession(spec, layers, arena, pool);
    if (threads > 1) orphans?.register(session, pool, session);
    session.load(params);
    return session;
  }

  get threads(): number {
    return this.pool.threads;
  }

  get splitCalls(): number {
    return this.pool.splitCalls;
  }

  private context(): StepContext {
    return { arena: this.arena, pool: this.pool, cfg: this.cfg, t: this.t };
  }

  private newScratch(rows: number): Scratch {
    const a = this.arena;
    const spec = this.spec.layers;
    const inputs = spec[0].inputs;
    const x = a.alloc(rows * inputs);
    const layers = this.layers.map((layer) => {
      const n = rows * layer.spec.units;
      const y = a.alloc(n);
      // pooling, flatten and dropout have y = v: one array serves both
      const v = outputIsV(layer.spec) ? y : a.alloc(n);
      return { v, y, delta: a.alloc(n), e: a.alloc(n), extra: layer.extras(rows).map((k) => a.alloc(k)) };
    });
    const s: Scratch = { capacity: rows, x, xImage: this.inputImage ? a.alloc(rows * inputs) : x, xBytes: a.alloc(Math.ceil((rows * inputs) / 4)), d: a.alloc(rows * spec[spec.length - 1].units), layers };
    const listLength = Math.max(1, ...this.layers.map((l) => l.listLength(rows)));
    this.pool.setLists(Array.from({ length: this.pool.threads }, () => a.alloc(listLength).ptr));
    return s;
  }

  private batch(which: 'train' | 'infer', rows: number): Scratch {
    if (rows > this.scratch[which].capacity) {
      const other = which === 'train' ? 'infer' : 'train';
      this.scratch[which] = this.newScratch(Math.max(rows, this.scratch[other].capacity));
    }
    return this.scratch[which];
  }

  private load(params: LayerParams[]): void {
    this.layers.forEach((layer, l) => {
      const m = this.params[l];
      if (!m) return;
      this.arena.view(m.W).set(layer.toInternal(params[l].W));
      this.arena.view(m.b).set(params[l].b.subarray(0, m.b.length));
      for (const r of [m.mW, m.sW, m.mb, m.sb]) this.arena.view(r).fill(0);
    });
    this.t = 0;
  }

  async upload(x: UploadInputs, y?: UploadTargets): Promise<DatasetHandle> {
    const layers = this.spec.layers;
    return uploadCpuDataset(x, y, layers[0].inputs, layers[layers.length - 1].units);
  }

  private gather(s: Scratch, data: CpuDataset, order: ArrayLike<number>, from: number, rows: number): void {
    gatherWasmBatch(this.arena, s, data, order, from, rows);
    const img = this.inputImage;
    if (img) run(this.context(), 'nchwToNhwc', [s.x.ptr, s.xImage.ptr, img[0] * img[1], img[2]], rows, 1, rows * this.spec.layers[0].inputs);
  }

  /** the input of layer l in the scratch */
  private input(s: Scratch, l: number): Region {
    return l === 0 ? s.xImage : s.layers[l - 1].y;
  }

  private forwardPass(s: Scratch, rows: number, training: boolean): Float32Array {
    const c = this.context();
    this.layers.forEach((layer, l) => {
      const ls = s.layers[l];
      layer.forward(c, ls, this.input(s, l), rows, training, this.params[l]);
      const spec = layer.spec;
      if (!outputIsV(spec) && (FORWARD_IN_WASM[spec.activation] ?? -1) < 0) this.activateOnHost(spec, ls, rows);
    });
    return this.arena.view(s.layers[this.layers.length - 1].y);
  }

  private activateOnHost(layer: LayerSpec, s: LayerScratch, rows: number): void {
    const v = this.arena.view(s.v);
    const y = this.arena.view(s.y);
    if (layer.activation === 'softmax') softmaxRows(v, y, rows, layer.units);
    else for (let k = 0; k < rows * layer.units; k++) y[k] = activate(layer.activation, v[k], layer.alpha);
  }

  private backwardAndUpdate(s: Scratch, rows: number): void {
    const a = this.arena;
    const c = this.context();
    const last = this.layers.length - 1;
    const out = this.spec.layers[last];
    const ol = s.layers[last];
    if (fusesToTargetMinusOutput(this.spec.loss, out.activation)) a.kernels.targetMinusOutput(s.d.ptr, ol.y.ptr, ol.delta.ptr, rows * out.units);
    else outputDelta(out, this.spec.loss, a.view(ol.v), a.view(ol.y), a.view(s.d), rows, a.view(ol.delta));
    for (let l = last; l > 0; l--) {
      const layer = this.layers[l];
      const prev = this.spec.layers[l - 1];
      const ps = s.layers[l - 1];
      const fused = layer.fusesDerivative(prev);
      const linear = prev.activation === 'linear';
      layer.backward(c, s.layers[l], this.input(s, l), rows, this.params[l], { layer: prev, s: ps }, fused || linear ? ps.delta : ps.e);
      if (fused || linear) continue;
      const act = derivativeId(prev);
      const n = rows * prev.units;
      if (act >= 0) run(c, 'derivativeTimes', [ps.e.ptr, ps.v.ptr, ps.y.ptr, ps.delta.ptr, act, prev.alpha], n, 4, n);
      else hiddenDelta(prev, a.view(ps.v), a.view(ps.y), a.view(ps.e), rows, a.view(ps.delta));
    }
    this.t++;
    const o = this.spec.optimizer;
    a.view(this.cfg).set([OPTIMIZER_ID[o.type], o.learningRate, o.l2, o.type === 'adam' ? o.beta1 : o.momentum, o.beta2, 1 - Math.pow(o.beta1, this.t), 1 - Math.pow(o.beta2, this.t), o.epsilon, rows, 1 - o.beta1, 1 - o.beta2]);
    this.layers.forEach((layer, l) => {
      const p = this.params[l];
      if (p) layer.update(c, s.layers[l], this.input(s, l), rows, p);
    });
  }

  async trainSteps(handle: DatasetHandle, order: Uint32Array, start: number, batchSize: number, steps: number): Promise<Metrics> {
    const data = handle as CpuDataset;
    if (!data.y) throw new Error('trainSteps needs a data set uploaded with targets y');
    const s = this.batch('train', batchSize);
    this.before = this.state();
    const total: Metrics = { lossSum: 0, correct: 0, count: 0 };
    for (let step = 0; step < steps; step++) {
      const from = start + step * batchSize;
      const rows = Math.min(batchSize, order.length - from);
      if (rows <= 0) break;
      this.gather(s, data, order, from, rows);
      const y = this.forwardPass(s, rows, true);
      const m = batchMetrics(this.spec, y, this.arena.view(s.d), rows);
      this.backwardAndUpdate(s, rows);
      total.lossSum += m.lossSum;
      total.correct += m.correct;
      total.count += rows;
      this.lastRows = rows;
    }
    total.nonFiniteLayers = this.params.flatMap((m, l) => (m && !(finite(this.arena.view(m.W)) && finite(this.arena.view(m.b))) ? [l] : []));
    return total;
  }

  private state(): SessionState {
    const copy = (r: Region | undefined) => (r ? this.arena.view(r).slice() : new Float32Array(0));
    const w = (l: number, r: Region | undefined) => (r ? this.layers[l].fromInternal(copy(r)) : new Float32Array(0));
    return {
      params: this.params.map((m, l) => ({ W: w(l, m?.W), b: copy(m?.b) })),
      optimizer: this.params.map((m, l) => ({ mW: m && m.mW.length ? w(l, m.mW) : new Float32Array(0), vW: m && m.sW.length ? w(l, m.sW) : new Float32Array(0), mb: copy(m?.mb), vb: copy(m?.sb) })),
      t: this.t,
    };
  }

  async getState(): Promise<SessionState> {
    return this.state();
  }

  async setState(state: SessionState): Promise<void> {
    const put = (r: Region, src: Float32Array, l: number, what: string, internal: boolean) => {
      const dst = this.arena.view(r);
      const want = internal ? contractLength(this.layers[l], r) : dst.length;
      if (src.length !== want) throw new RangeError(`setState: layer ${l} ${what} has ${src.length} values, expected ${want}`);
      dst.set(internal && src.length > 0 ? this.layers[l].toInternal(src) : src);
    };
    this.params.forEach((m, l) => {
      if (!m) return;
      const o = state.optimizer[l];
      put(m.W, state.params[l].W, l, 'W', true);
      put(m.b, state.params[l].b, l, 'b', false);
      put(m.mW, o.mW, l, 'm(W)', true);
      put(m.sW, o.vW, l, 'v(W)', true);
      put(m.mb, o.mb, l, 'm(b)', false);
      put(m.sb, o.vb, l, 'v(b)', false);
    });
    this.t = state.t;
  }

  async rollback(): Promise<void> {
    if (!this.before) return;
    await this.setState(this.before);
    this.before = null;
  }

  private sweep(data: CpuDataset, each: (y: Float32Array, d: Float32Array, from: number, rows: number) => void): void {
    const chunk = 256;
    const s = this.batch('infer', chunk);
    const order = new Uint32Array(data.rows).map((_, i) => i);
    for (let from = 0; from < data.rows; from += chunk) {
      const rows = Math.min(chunk, data.rows - from);
      this.gather(s, data, order, from, rows);
      each(this.forwardPass(s, rows, false), this.arena.view(s.d), from, rows);
    }
  }

  async evaluate(handle: DatasetHandle): Promise<Metrics> {
    const data = handle as CpuDataset;
    if (!data.y) throw new Error('evaluate needs a data set uploaded with targets y');
    return sweepMetrics(this.spec, (each) => this.sweep(data, each));
  }

  async predict(handle: DatasetHandle): Promise<Float32Array> {
    return sweepOutputs(this.spec, (handle as CpuDataset).rows, (each) => this.sweep(handle as CpuDataset, each));
  }

  async getParams(): Promise<LayerParams[]> {
    return this.state().params;
  }

  async setParams(params: LayerParams[]): Promise<void> {
    this.load(params);
  }

  async lastStep(): Promise<StepTrace> {
    const n = (l: number) => this.lastRows * this.spec.layers[l].units;
    const take = (pick: (ls: LayerScratch) => Region) => this.scratch.train.layers.map((ls, l) => toNchw(this.arena.view(pick(ls)).slice(0, n(l)), this.layers[l].image));
    return { v: take((ls) => ls.v), y: take((ls) => ls.y), delta: take((ls) => ls.delta) };
  }

  dispose(): void {
    orphans?.unregister(this);
    this.pool.dispose();
  }
}

/** NHWC rows → NCHW rows (a copy; flat rows and one-channel images as they are) */
function toNchw(a: Float32Array, image: Image): Float32Array {
  if (!image || image[2] === 1) return a;
  const [H, W, C] = image;
  const out = new Float32Array(a.length);
  const size = H * W * C;
  for (let n = 0; n < a.length / size; n++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[n * size + c * H * W + p] = a[n * size + p * C + c];
  return out;
}

function finite(a: Float32Array): boolean {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return false;
  return true;
}

/** the contract's length of a W-shaped region of layer l (0 where unused) */
function contractLength(layer: WasmLayer, r: Region): number {
  if (r.length === 0) return 0;
  return layer.spec.kind === 'conv2d' ? layer.spec.filters * layer.spec.inShape[0] * layer.spec.kernel[0] * layer.spec.kernel[1] : layer.spec.units * layer.spec.inputs;
}
