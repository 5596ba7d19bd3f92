/**
 * A CPU training session on the WebAssembly SIMD kernels (src/backends/cpu/wasm/dense-simd.as.ts), optionally split across
 * worker threads. Same contract as the TypeScript CpuSession (backend.ts), step for step: forward through
 * every layer, every δ with the weights before the update, then every update. What differs is where the
 * arrays live: parameters, optimizer state and scratch are views into the module's memory, so a step copies
 * only its patterns in, and the weight change is fused with the optimizer's update (D is never stored).
 * Layer 0's W (and its optimizer state) is kept transposed, WT = inputs × stride (stride = units rounded up
 * to 4, zero padding), so that its kernels skip each zero input exactly (dense-transposed.as.ts says why);
 * it is transposed on the way in and out (load, getParams, getState, setState). The other layers keep W.
 *
 * The kernels fuse the activations that need no exp (linear, ReLU, leaky ReLU; and f' of those, of sigmoid
 * and of tanh); the rest (sigmoid, tanh, softplus, softmax forward; softplus f'; the output δ unless it is
 * d − y) runs in TypeScript on the same memory, with the reference's own functions.
 */
import { activate, softmaxRows } from '../../../activations.ts';
import type { ActivationName } from '../../../activations.ts';
import type { DatasetHandle, LayerParams, LayerSpec, Metrics, NetworkSpec, SessionState, StepTrace, TrainingSession, UploadInputs, UploadTargets } from '../../../backend.ts';
import { fusesToTargetMinusOutput } from '../../../losses.ts';
import { CpuDataset, uploadCpuDataset } from '../dataset.ts';
import { hiddenDelta, outputDelta } from '../dense.ts';
import { batchMetrics, sweepMetrics, sweepOutputs } from '../network.ts';
import { gatherWasmBatch } from './gather.ts';
import { Arena } from './memory.ts';
import type { Region } from './memory.ts';
import { ThreadPool } from './threads.ts';

/** activations whose y = f(v) the forward kernel computes (ids as ACTIVATION_ID) */
export const FORWARD_IN_WASM: Partial<Record<ActivationName, number>> = { linear: 0, relu: 3, leakyRelu: 4 };
/** activations whose f' the backprop kernel applies */
export const DERIVATIVE_IN_WASM: Partial<Record<ActivationName, number>> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4 };
export const OPTIMIZER_ID = { sgd: 0, momentum: 1, adam: 2 } as const;
/**
 * Multiply-adds below which a kernel call runs on the calling thread alone: a wake-up round trip costs tens
 * of microseconds (far more when the machine is busy and a worker has to be rescheduled), about what 10⁶
 * multiply-adds take, so in MNIST's 784-128-10 only the first layer's calls are split.
 */
export const SPLIT_WORK = 1 << 20;

interface LayerMemory {
  /** W (units × inputs), or for layer 0 WT (inputs × stride) */
  W: Region;
  transposed: boolean;
  stride: number;
  b: Region;
  /** optimizer state of W and b: momentum's V or Adam's m, and Adam's v (zero-length when unused) */
  mW: Region;
  sW: Region;
  mb: Region;
  sb: Region;
}

/** A batch's patterns, targets and every layer's v, y, δ (and e, for δ finished in TypeScript). */
interface Scratch {
  capacity: number;
  x: Region;
  /** the batch's 8-bit rows before widenUnorm8 turns them into x (a byte data set): rows × inputs bytes */
  xBytes: Region;
  d: Region;
  v: Region[];
  y: Region[];
  delta: Region[];
  e: Region[];
  /** layer 0's input's non-zeros: CSR (rows × inputs (i32, f32) pairs, counts per row) and CSC */
  csr: Region;
  counts: Region;
  colStart: Region;
  csc: Region;
}

/** units rounded up to a whole vector: WT's row length */
const strideOf = (units: number) => Math.ceil(units / 4) * 4;

/** W (units × inputs, the API's layout) into WT (inputs × stride), or back with `back` */
function transpose(src: Float32Array, dst: Float32Array, units: number, inputs: number, stride: number, back: boolean): void {
  for (let j = 0; j < units; j++) {
    for (let i = 0; i < inputs; i++) {
      if (back) dst[j * inputs + i] = src[i * stride + j];
      else dst[i * stride + j] = src[j * inputs + i];
    }
  }
}

/** A session dropped without dispose() still stops its workers once it is garbage-collected. */
const orphans = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.dispose()) : null;

export class WasmCpuSession implements TrainingSession {
  private layers: LayerMemory[];
  private readonly cfg: Region;
  private scratch: Record<'train' | 'infer', Scratch>;
  private t = 0;
  private lastRows = 0;
  /** the state before the latest trainSteps call, for rollback() (the health check found a NaN in it) */
  private before: SessionState | null = null;

  private constructor(
    private readonly spec: NetworkSpec,
    private readonly arena: Arena,
    private readonly pool: ThreadPool,
  ) {
    const a = arena;
    const o = spec.optimizer;
    const state = (n: number, used: boolean) => a.alloc(used ? n : 0);
    this.cfg = a.alloc(16);
    this.layers = spec.layers.map((l, index) => {
      const transposed = index === 0;
      const stride = transposed ? strideOf(l.units) : l.units;
      const n = stride * l.inputs;
      const nb = l.bias ? l.units : 0;
      return { W: a.alloc(n), transposed, stride, b: a.alloc(nb), mW: state(n, o.type !== 'sgd'), sW: state(n, o.type === 'adam'), mb: state(nb, o.type !== 'sgd'), sb: state(nb, o.type === 'adam') };
    });
    this.scratch = { train: this.newScratch(0), infer: this.newScratch(0) };
  }

  static async create(spec: NetworkSpec, params: LayerParams[], threads: number): Promise<WasmCpuSession> {
    const arena = new Arena(threads > 1);
    const pool = await ThreadPool.start(arena, threads);
    const session = new WasmCpuSession(spec, arena, pool);
    if (threads > 1) orphans?.register(session, pool, session);
    session.load(params);
    return session;
  }

  get threads(): number {
    return this.pool.threads;
  }

  /** kernel calls split across threads so far */
  get splitCalls(): number {
    return this.pool.splitCalls;
  }

  private newScratch(rows: number): Scratch {
    const a = this.arena;
    const layers = this.spec.layers;
    const per = () => layers.map((l) => a.alloc(rows * l.units));
    // δ is read 4 lanes at a time up to the stride by weightUpdateT: 4 floats of slack past the last row
    const delta = layers.map((l) => a.alloc(rows * l.units + 4));
    const inputs = layers[0].inputs;
    const s: Scratch = {
      capacity: rows, x: a.alloc(rows * inputs), xBytes: a.alloc(Math.ceil((rows * inputs) / 4)), d: a.alloc(rows * layers[layers.length - 1].units), v: per(), y: per(), delta, e: per(),
      csr: a.alloc(2 * rows * inputs), counts: a.alloc(rows), colStart: a.alloc(inputs + 1), csc: a.alloc(2 * rows * inputs),
    };
    // each thread's list scratch for the hidden layers' kernels: forward's chunk list (inputs / 4) or the update's row list (rows)
    const listLength = Math.max(rows, ...layers.map((l) => Math.ceil(l.inputs / 4)));
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
    const view = (r: Region) => this.arena.view(r);
    this.layers.forEach((m, l) => {
      this.putW(m.W, params[l].W, l);
      view(m.b).set(params[l].b.subarray(0, m.b.length));
      for (const s of [m.mW, m.sW, m.mb, m.sb]) view(s).fill(0);
    });
    this.t = 0;
  }

  /** W (units × inputs) into the layer's W region (layer 0: transposed, the padding columns zero) */
  private putW(r: Region, W: Float32Array, l: number): void {
    const { units, inputs } = this.spec.layers[l];
    const dst = this.arena.view(r);
    if (!this.layers[l].transposed) return dst.set(W);
    dst.fill(0);
    transpose(W, dst, units, inputs, this.layers[l].stride, false);
  }

  /** the layer's W region as W (units × inputs), a copy */
  private getW(r: Region, l: number): Float32Array {
    if (!this.layers[l].transposed) return this.arena.view(r).slice();
    const { units, inputs } = this.spec.layers[l];
    const W = new Float32Array(units * inputs);
    transpose(this.arena.view(r), W, units, inputs, this.layers[l].stride, true);
    return W;
  }

  async upload(x: UploadInputs, y?: UploadTargets): Promise<DatasetHandle> {
    const layers = this.spec.layers;
    return uploadCpuDataset(x, y, layers[0].inputs, layers[layers.length - 1].units);
  }

  /** forward through every layer for the scratch's first `rows` patterns; returns the output layer's y */
  private forwardPass(s: Scratch, rows: number): Float32Array {
    const k = this.pool;
    let x = s.x;
    this.spec.layers.forEach((layer, l) => {
      const m = this.layers[l];
      const act = FORWARD_IN_WASM[layer.activation] ?? -1;
      const split = rows * layer.inputs * layer.units >= SPLIT_WORK;
      if (m.transposed) {
        // also leaves the CSR of x (each row's non-zero inputs) for the update
        const args = [m.W.ptr, m.b.ptr, x.ptr, s.v[l].ptr, s.y[l].ptr, layer.inputs, layer.units, m.stride, layer.bias ? 1 : 0, act, layer.alpha, s.csr.ptr, s.counts.ptr];
        k.run('forwardT', args, rows, 1, split);
      } else {
        const args = [m.W.ptr, m.b.ptr, x.ptr, s.v[l].ptr, s.y[l].ptr, layer.inputs, layer.units, layer.bias ? 1 : 0, act, layer.alpha];
        k.run('forward', args, rows, 4, split);
      }
      if (act < 0) this.activateOnHost(layer, s, l, rows);
      x = s.y[l];
    });
    return this.arena.view(s.y[this.spec.layers.length - 1]);
  }

  private activateOnHost(layer: LayerSpec, s: Scratch, l: number, rows: number): void {
    const v = this.arena.view(s.v[l]);
    const y = this.arena.view(s.y[l]);
    if (layer.activation === 'softmax') softmaxRows(v, y, rows, layer.units);
    else for (let k = 0; k < rows * layer.units; k++) y[k] = activate(layer.activation, v[k], layer.alpha);
  }

  /** every δ (output first, each with the weights before the update), then every layer's fused update */
  private backwardAndUpdate(s: Scratch, rows: number): void {
    const k = this.pool;
    const a = this.arena;
    const layers = this.spec.layers;
    const last = layers.length - 1;
    const out = layers[last];
    if (fusesToTargetMinusOutput(this.spec.loss, out.activation)) {
      a.kernels.targetMinusOutput(s.d.ptr, s.y[last].ptr, s.delta[last].ptr, rows * out.units);
    } else {
      outputDelta(out, this.spec.loss, a.view(s.v[last]), a.view(s.y[last]), a.view(s.d), rows, a.view(s.delta[last]));
    }
    for (let l = last; l > 0; l--) {
      const layer = layers[l];
      const prev = layers[l - 1];
      const act = DERIVATIVE_IN_WASM[prev.activation] ?? -1;
      const target = act < 0 ? s.e[l - 1] : s.delta[l - 1];
      // l ≥ 1: never the transposed layer 0, whose input gradient nothing needs
      const args = [this.layers[l].W.ptr, s.delta[l].ptr, layer.inputs, layer.units, s.v[l - 1].ptr, s.y[l - 1].ptr, target.ptr, act, prev.alpha];
      k.run('backprop', args, rows, 4, rows * layer.inputs * layer.units >= SPLIT_WORK);
      if (act < 0) hiddenDelta(prev, a.view(s.v[l - 1]), a.view(s.y[l - 1]), a.view(s.e[l - 1]), rows, a.view(s.delta[l - 1]));
    }
    this.t++;
    const o = this.spec.optimizer;
    const cfg = a.view(this.cfg);
    cfg.set([OPTIMIZER_ID[o.type], o.learningRate, o.l2, o.type === 'adam' ? o.beta1 : o.momentum, o.beta2, 1 - Math.pow(o.beta1, this.t), 1 - Math.pow(o.beta2, this.t), o.epsilon, rows, 1 - o.beta1, 1 - o.beta2]);
    layers.forEach((layer, l) => {
      const m = this.layers[l];
      const split = rows * layer.inputs * layer.units >= SPLIT_WORK;
      if (m.transposed) {
        // the forward pass left each row's non-zero inputs (CSR); the update walks them per input (CSC)
        a.kernels.columnLists(s.csr.ptr, s.counts.ptr, rows, layer.inputs, s.colStart.ptr, s.csc.ptr);
        const args = [m.W.ptr, m.b.ptr, s.delta[l].ptr, s.colStart.ptr, s.csc.ptr, rows, layer.inputs, layer.units, m.stride, layer.bias ? 1 : 0, m.mW.ptr, m.sW.ptr, m.mb.ptr, m.sb.ptr, this.cfg.ptr];
        k.run('weightUpdateT', args, layer.inputs, 1, split);
      } else {
        const x = s.y[l - 1];
        const args = [m.W.ptr, m.b.ptr, s.delta[l].ptr, x.ptr, rows, layer.inputs, layer.units, layer.bias ? 1 : 0, m.mW.ptr, m.sW.ptr, m.mb.ptr, m.sb.ptr, this.cfg.ptr];
        k.run('weightUpdate', args, layer.units, 4, split);
      }
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
      gatherWasmBatch(this.arena, s, data, order, from, rows);
      const d = this.arena.view(s.d);
      const y = this.forwardPass(s, rows);
      const m = batchMetrics(this.spec, y, d, rows);
      this.backwardAndUpdate(s, rows);
      total.lossSum += m.lossSum;
      total.correct += m.correct;
      total.count += rows;
      this.lastRows = rows;
    }
    total.nonFiniteLayers = this.nonFiniteLayers();
    return total;
  }

  /** Layers whose W or b holds a NaN or ±Infinity (the same check as the TypeScript kernels' session). */
  private nonFiniteLayers(): number[] {
    const finite = (r: Region) => {
      const a = this.arena.view(r);
      for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return false;
      return true;
    };
    return this.layers.flatMap((m, l) => (finite(m.W) && finite(m.b) ? [] : [l]));
  }

  private state(): SessionState {
    const copy = (r: Region) => this.arena.view(r).slice();
    const copyW = (r: Region, l: number) => (r.length ? this.getW(r, l) : new Float32Array(0));
    return {
      params: this.layers.map((m, l) => ({ W: copyW(m.W, l), b: copy(m.b) })),
      optimizer: this.layers.map((m, l) => ({ mW: copyW(m.mW, l), vW: copyW(m.sW, l), mb: copy(m.mb), vb: copy(m.sb) })),
      t: this.t,
    };
  }

  async getState(): Promise<SessionState> {
    return this.state();
  }

  async setState(state: SessionState): Promise<void> {
    // W-shaped arrays are units × inputs in the state (empty where the optimizer keeps none), WT here
    const expected = (r: Region, l: number, w: boolean) => (w && r.length && this.layers[l].transposed ? this.spec.layers[l].units * this.spec.layers[l].inputs : r.length);
    const check = (r: Region, src: Float32Array, l: number, what: string, w: boolean) => {
      if (src.length !== expected(r, l, w)) throw new RangeError(`setState: layer ${l} ${what} has ${src.length} values, expected ${expected(r, l, w)}`);
    };
    // every length checked before anything changes: a bad state leaves the session as it was
    this.layers.forEach((m, l) => {
      const o = state.optimizer[l];
      check(m.W, state.params[l].W, l, 'W', true);
      check(m.b, state.params[l].b, l, 'b', false);
      check(m.mW, o.mW, l, 'm(W)', true);
      check(m.sW, o.vW, l, 'v(W)', true);
      check(m.mb, o.mb, l, 'm(b)', false);
      check(m.sb, o.vb, l, 'v(b)', false);
    });
    const put = (r: Region, src: Float32Array, l: number, what: string, w = false) => {
      check(r, src, l, what, w);
      if (w && r.length) this.putW(r, src, l);
      else this.arena.view(r).set(src);
    };
    this.layers.forEach((m, l) => {
      put(m.W, state.params[l].W, l, 'W', true);
      put(m.b, state.params[l].b, l, 'b');
      const o = state.optimizer[l];
      put(m.mW, o.mW, l, 'm(W)', true);
      put(m.sW, o.vW, l, 'v(W)', true);
      put(m.mb, o.mb, l, 'm(b)');
      put(m.sb, o.vb, l, 'v(b)');
    });
    this.t = state.t;
  }

  async rollback(): Promise<void> {
    if (!this.before) return;
    await this.setState(this.before);
    this.before = null;
  }

  /** the forward pass over a data set in chunks; `each` sees every chunk's outputs and targets */
  private sweep(data: CpuDataset, each: (y: Float32Array, d: Float32Array, from: number, rows: number) => void): void {
    const chunk = 256;
    const s = this.batch('infer', chunk);
    const order = new Uint32Array(data.rows).map((_, i) => i);
    for (let from = 0; from < data.rows; from += chunk) {
      const rows = Math.min(chunk, data.rows - from);
      gatherWasmBatch(this.arena, s, data, order, from, rows);
      const d = this.arena.view(s.d);
      each(this.forwardPass(s, rows), d, from, rows);
    }
  }

  async evaluate(handle: DatasetHandle): Promise<Metrics> {
    const data = handle as CpuDataset;
    if (!data.y) throw new Error('evaluate needs a data set uploaded with targets y');
    return sweepMetrics(this.spec, (each) => this.sweep(data, each));
  }

  async predict(handle: DatasetHandle): Promise<Float32Array> {
    const data = handle as CpuDataset;
    return sweepOutputs(this.spec, data.rows, (each) => this.sweep(data, each));
  }

  async getParams(): Promise<LayerParams[]> {
    return this.layers.map((m, l) => ({ W: this.getW(m.W, l), b: this.arena.view(m.b).slice() }));
  }

  async setParams(params: LayerParams[]): Promise<void> {
    this.load(params);
  }

  async lastStep(): Promise<StepTrace> {
    const rows = this.lastRows;
    const s = this.scratch.train;
    const take = (rs: Region[]) => rs.map((r, l) => this.arena.view(r).slice(0, rows * this.spec.layers[l].units));
    return { v: take(s.v), y: take(s.y), delta: take(s.delta) };
  }

  dispose(): void {
    orphans?.unregister(this);
    this.pool.dispose();
  }
}
