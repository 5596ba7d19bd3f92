/**
 * The CPU backend: the fallback where no (hardware) adapter exists, and, with `kernels: 'reference'`, the
 * oracle the WebGPU kernels are tested against. It implements the same TrainingSession contract as the GPU,
 * step for step.
 */
import { backprop, batchMetrics, forwardPass, newWorkspace, referenceKernels, sweepMetrics, sweepOutputs } from './network.ts';
import type { CpuKernels, DenseKernels, Params, Workspace } from './network.ts';
import * as fast from './dense-fast.ts';
import { CpuDataset, gatherBatch, uploadCpuDataset } from './dataset.ts';
import { wasmSimdAvailable } from './wasm/memory.ts';
import { WasmCpuSession } from './wasm/session.ts';
import { WasmNetworkSession, planLayers } from './wasm/network-session.ts';
import { MAX_THREADS, defaultThreads, threadSupport } from './wasm/threads.ts';
import { newOptimizerState, updateWeights } from './update.ts';
import type { OptimizerState } from './update.ts';
import { allDense, biasCount, weightCount } from '../../backend.ts';
import type { Backend, DatasetHandle, LayerParams, Metrics, NetworkSpec, SessionState, StepTrace, TrainingSession, UploadInputs, UploadTargets } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export interface CpuOptions {
  /** float32 (default) matches the GPU; float64 is for checking the math itself */
  precision?: 'float32' | 'float64';
  /**
   * 'wasm' (default for float32 where WebAssembly SIMD runs): src/backends/cpu/wasm/dense-simd.as.ts, register-blocked SIMD
   * kernels with the optimizer update fused, optionally on several threads. 'fast' (the float32 fallback):
   * dense-fast.ts, blocked TypeScript loops that skip zeros. 'reference' (default for float64): dense.ts, the
   * plain loops every other kernel and gradient check is tested against.
   */
  kernels?: 'wasm' | 'fast' | 'reference';
  /**
   * Threads for the 'wasm' kernels (default: the cores available to the process): worker_threads in Node,
   * Web Workers in a browser. Results do not depend on it. Where workers cannot share memory (a page that
   * is not cross-origin isolated has no SharedArrayBuffer) the backend runs one thread, and
   * `fallbackReason` says why.
   */
  threads?: number;
}

/** The CPU backend, with what it runs: which kernels, how many threads, and why no more. */
export interface CpuBackend extends Backend {
  readonly name: 'cpu';
  readonly kernels: 'wasm' | 'fast' | 'reference';
  /** threads a session runs on (1 unless kernels is 'wasm') */
  readonly threads: number;
  /** why `threads` is less than asked, or why 'fast' stands in for 'wasm' (empty when neither) */
  readonly fallbackReason: string;
}

const fastKernels: DenseKernels = fast;


/** A batch's copies of its patterns (x, targets d) and the layers' scratch arrays. */
interface Scratch {
  ws: Workspace;
  x: Floats;
  d: Floats;
}

class CpuSession implements TrainingSession {
  private params: Params;
  private state: { W: OptimizerState; b: OptimizerState }[] = [];
  private t = 0;
  private lastRows = 0;
  /** copies of the state before the latest trainSteps call, in the session's own precision, for rollback() */
  private before: { W: Floats[]; b: Floats[]; opt: { W: OptimizerState; b: OptimizerState }[]; t: number } | null = null;
  // Training and inference each get their own scratch, so evaluate/predict never overwrite what
  // lastStep() reports (the WebGPU backend keeps two step plans for the same reason).
  private scratch: Record<'train' | 'infer', Scratch>;

  constructor(
    private readonly spec: NetworkSpec,
    params: LayerParams[],
    private readonly make: (n: number) => Floats,
    private readonly kernels: CpuKernels,
  ) {
    this.params = { W: [], b: [] };
    this.scratch = { train: this.newScratch(0), infer: this.newScratch(0) };
    this.load(params);
  }

  private load(params: LayerParams[]): void {
    this.params = { W: params.map((p) => this.copy(p.W)), b: params.map((p) => this.copy(p.b)) };
    const o = this.spec.optimizer;
    this.state = this.spec.layers.map((l) => ({
      W: newOptimizerState(o, weightCount(l), this.make),
      b: newOptimizerState(o, biasCount(l), this.make),
    }));
    this.t = 0;
  }

  private copy(a: Float32Array): Floats {
    const c = this.make(a.length);
    c.set(a);
    return c;
  }

  private newScratch(rows: number): Scratch {
    const first = this.spec.layers[0].inputs;
    const last = this.spec.layers[this.spec.layers.length - 1].units;
    return { ws: newWorkspace(this.spec, rows, this.make), x: this.make(rows * first), d: this.make(rows * last) };
  }

  /** The scratch for `rows`-row batches, grown when a batch is larger than any before. */
  private batch(which: 'train' | 'infer', rows: number): Scratch {
    if (rows > this.scratch[which].ws.capacity) this.scratch[which] = this.newScratch(rows);
    return this.scratch[which];
  }

  async upload(x: UploadInputs, y?: UploadTargets): Promise<DatasetHandle> {
    const layers = this.spec.layers;
    return uploadCpuDataset(x, y, layers[0].inputs, layers[layers.length - 1].units);
  }

  /** Copies the patterns order[start…start+rows) into the batch arrays. */
  private gather(b: Scratch, data: CpuDataset, order: ArrayLike<number>, start: number, rows: number): void {
    gatherBatch(b.x, b.d, data, order, start, rows);
  }

  async trainSteps(handle: DatasetHandle, order: Uint32Array, start: number, batchSize: number, steps: number): Promise<Metrics> {
    const data = handle as CpuDataset;
    if (!data.y) throw new Error('trainSteps needs a data set uploaded with targets y');
    const b = this.batch('train', batchSize);
    const o = this.spec.optimizer;
    const total: Metrics = { lossSum: 0, correct: 0, count: 0 };
    const c = (s: OptimizerState) => ({ m: s.m.slice(), v: s.v.slice() });
    this.before = { W: this.params.W.map((a) => a.slice()), b: this.params.b.map((a) => a.slice()), opt: this.state.map((s) => ({ W: c(s.W), b: c(s.b) })), t: this.t };
    for (let s = 0; s < steps; s++) {
      const from = start + s * batchSize;
      const rows = Math.min(batchSize, order.length - from);
      if (rows <= 0) break;
      this.gather(b, data, order, from, rows);
      // a training step: dropout draws its mask for update count t (the updates before this step)
      const y = forwardPass(this.spec, this.params, b.x, rows, b.ws, this.kernels, { training: true, t: this.t });
      const m = batchMetrics(this.spec, y, b.d, rows);
      backprop(this.spec, this.params, b.x, b.d, rows, b.ws, this.kernels);
      this.t++;
      this.spec.layers.forEach((layer, l) => {
        if (weightCount(layer) > 0) updateWeights(o, this.params.W[l], b.ws.D[l], this.state[l].W, this.t, o.l2);
        if (biasCount(layer) > 0) updateWeights(o, this.params.b[l], b.ws.Db[l], this.state[l].b, this.t, 0);
      });
      total.lossSum += m.lossSum;
      total.correct += m.correct;
      total.count += rows;
      this.lastRows = rows;
    }
    total.nonFiniteLayers = this.nonFiniteLayers();
    return total;
  }

  /** Layers whose W or b holds a NaN or ±Infinity (the same check the GPU's health kernel makes). */
  private nonFiniteLayers(): number[] {
    const bad: number[] = [];
    const finite = (a: Floats) => {
      for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return false;
      return true;
    };
    this.spec.layers.forEach((_, l) => {
      if (!finite(this.params.W[l]) || !finite(this.params.b[l])) bad.push(l);
    });
    return bad;
  }

  private state_(): SessionState {
    const f32 = (a: Floats) => Float32Array.from(a);
    return {
      params: this.spec.layers.map((_, l) => ({ W: f32(this.params.W[l]), b: f32(this.params.b[l]) })),
      optimizer: this.state.map((s) => ({ mW: f32(s.W.m), vW: f32(s.W.v), mb: f32(s.b.m), vb: f32(s.b.v) })),
      t: this.t,
    };
  }

  async getState(): Promise<SessionState> {
    return this.state_();
  }

  async setState(state: SessionState): Promise<void> {
    this.load(state.params);
    state.optimizer.forEach((o, l) => {
      const s = this.state[l];
      const put = (dst: Floats, src: Float32Array, what: string) => {
        if (src.length !== dst.length) throw new RangeError(`setState: layer ${l} ${what} has ${src.length} values, expected ${dst.length}`);
        dst.set(src);
      };
      put(s.W.m, o.mW, 'm(W)');
      put(s.W.v, o.vW, 'v(W)');
      put(s.b.m, o.mb, 'm(b)');
      put(s.b.v, o.vb, 'v(b)');
    });
    this.t = state.t;
  }

  async rollback(): Promise<void> {
    const b = this.before;
    if (!b) return;
    this.params = { W: b.W, b: b.b };
    this.state = b.opt;
    this.t = b.t;
    this.before = null;
  }

  /** Runs the forward pass over a data set in chunks; `each` sees every chunk's outputs. */
  private sweep(data: CpuDataset, each: (y: Floats, d: Floats, from: number, rows: number) => void): void {
    const chunk = 256;
    const b = this.batch('infer', chunk);
    const order = new Uint32Array(data.rows).map((_, i) => i);
    for (let from = 0; from < data.rows; from += chunk) {
      const rows = Math.min(chunk, data.rows - from);
      this.gather(b, data, order, from, rows);
      each(forwardPass(this.spec, this.params, b.x, rows, b.ws, this.kernels), b.d, from, rows);
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
    return this.spec.layers.map((_, l) => ({ W: Float32Array.from(this.params.W[l]), b: Float32Array.from(this.params.b[l]) }));
  }

  async setParams(params: LayerParams[]): Promise<void> {
    this.load(params);
  }

  async lastStep(): Promise<StepTrace> {
    const rows = this.lastRows;
    const take = (a: Floats[]) => a.map((arr, l) => Float32Array.from(arr.subarray(0, rows * this.spec.layers[l].units)));
    const { ws } = this.scratch.train;
    return { v: take(ws.v), y: take(ws.y), delta: take(ws.delta) };
  }

  dispose(): void {}
}

/**
 * The one place a network is routed to a CPU session. The WebAssembly session runs dense-only networks; any
 * other network (conv2d, pooling, flatten, dropout) runs on the generic CpuSession over the per-kind files
 * (dense.ts, conv2d.ts, pool2d.ts, flatten.ts, dropout.ts), its dense layers on the fast JS kernels when the
 * backend asked for 'wasm' or 'fast'. A faster conv path plugs in here (a session, or CpuKernels.conv2d).
 */
function sessionFor(spec: NetworkSpec, params: LayerParams[], kernels: CpuBackend['kernels'], threads: number, make: (n: number) => Floats): Promise<TrainingSession> | TrainingSession {
  if (kernels === 'wasm' && allDense(spec.layers)) return WasmCpuSession.create(spec, params, threads);
  // conv nets (and any other kinds) on the WebAssembly kernels, where that session takes the layer list
  if (kernels === 'wasm' && typeof planLayers(spec.layers) !== 'string') return WasmNetworkSession.create(spec, params, threads);
  const dense: DenseKernels = kernels === 'reference' ? referenceKernels : fastKernels;
  return new CpuSession(spec, params, make, dense);
}

export function createCpuBackend(options: CpuOptions = {}): CpuBackend {
  const precision = options.precision ?? 'float32';
  if (precision !== 'float32' && precision !== 'float64') throw new RangeError(`createCpuBackend: precision must be 'float32' or 'float64', got '${String(precision)}'`);
  if (options.kernels !== undefined && !['wasm', 'fast', 'reference'].includes(options.kernels)) {
    throw new RangeError(`createCpuBackend: kernels must be 'wasm', 'fast' or 'reference', got '${String(options.kernels)}'`);
  }
  if (options.kernels === 'wasm' && precision !== 'float32') throw new RangeError(`createCpuBackend: kernels 'wasm' run float32 only, got precision '${precision}'`);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1 && options.threads <= MAX_THREADS)) {
    throw new RangeError(`createCpuBackend: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(options.threads)}`);
  }
  let fallbackReason = '';
  let kernels = options.kernels ?? (precision === 'float32' ? 'wasm' : 'reference');
  if (kernels === 'wasm' && !wasmSimdAvailable()) {
    if (options.kernels === 'wasm') throw new Error("createCpuBackend: kernels 'wasm' need WebAssembly with 128-bit SIMD, which this engine does not run");
    kernels = 'fast';
    fallbackReason = 'no WebAssembly SIMD here: fast TypeScript kernels';
  }
  const support = threadSupport();
  const wanted = options.threads;
  let threads = 1;
  if (kernels === 'wasm') {
    if (support.ok) threads = wanted ?? defaultThreads();
    else if ((wanted ?? 2) > 1) fallbackReason = `one thread: ${support.reason}`;
  }
  const make = precision === 'float64' ? (n: number) => new Float64Array(n) : (n: number) => new Float32Array(n);
  const description =
    kernels === 'wasm'
      ? `CPU (float32, WebAssembly SIMD kernels, ${threads} thread${threads === 1 ? '' : 's'})`
      : kernels === 'fast'
        ? `CPU (${precision}, fast JS kernels)`
        : `CPU reference (${precision}, plain loops)`;
  return {
    name: 'cpu',
    kernels,
    threads,
    fallbackReason,
    description,
    compile: async (spec: NetworkSpec, params: LayerParams[]): Promise<TrainingSession> => sessionFor(spec, params, kernels, threads, make),
    dispose() {},
  };
}
