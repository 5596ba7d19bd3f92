/**
 * The CPU backend: the fallback where no (hardware) adapter exists, and, with `kernels: 'reference'`, the
 * oracle the WebGPU kernels are tested against. It implements the same TrainingSession contract as the GPU,
 * step for step.
 */
import { backprop, batchMetrics, forwardPass, newWorkspace, referenceKernels } from './network.ts';
import type { DenseKernels, Params, Workspace } from './network.ts';
import * as fast from './dense-fast.ts';
import { newOptimizerState, updateWeights } from './update.ts';
import type { OptimizerState } from './update.ts';
import type { Backend, DatasetHandle, LayerParams, Metrics, NetworkSpec, SessionState, StepTrace, TrainingSession, UploadInputs, UploadTargets } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';
import { checkUpload, inputRow, isByteMatrix, isClassIndices, targetRow } from '../upload.ts';

export interface CpuOptions {
  /** float32 (default) matches the GPU; float64 is for checking the math itself */
  precision?: 'float32' | 'float64';
  /**
   * 'fast' (default for float32): dense-fast.ts, blocked loops that skip zeros. 'reference' (default for
   * float64): dense.ts, the plain loops every GPU kernel and gradient check is tested against.
   */
  kernels?: 'fast' | 'reference';
}

const fastKernels: DenseKernels = fast;

/**
 * A data set as the caller gave it: float32 rows are copied (into float64 for that precision), 8-bit pixels
 * and class indices are kept as they are and widened per batch in gather(), through the same UNORM8 table the
 * GPU uses, so the 8-bit path costs 1 byte a pixel here too and gives the same floats as the float32 path.
 */
class CpuDataset implements DatasetHandle {
  constructor(
    readonly x: UploadInputs,
    readonly y: UploadTargets | null,
    readonly rows: number,
    readonly inputs: number,
    readonly outputs: number,
  ) {}
  dispose(): void {}
}

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
    private readonly kernels: DenseKernels,
  ) {
    this.params = { W: [], b: [] };
    this.scratch = { train: this.newScratch(0), infer: this.newScratch(0) };
    this.load(params);
  }

  private load(params: LayerParams[]): void {
    this.params = { W: params.map((p) => this.copy(p.W)), b: params.map((p) => this.copy(p.b)) };
    const o = this.spec.optimizer;
    this.state = this.spec.layers.map((l) => ({
      W: newOptimizerState(o, l.units * l.inputs, this.make),
      b: newOptimizerState(o, l.bias ? l.units : 0, this.make),
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
    const outputs = this.spec.layers[this.spec.layers.length - 1].units;
    checkUpload(x, y, this.spec.layers[0].inputs, outputs, 'cpu upload');
    // float rows are copied so later changes by the caller cannot reach a data set already uploaded
    const xs: UploadInputs = isByteMatrix(x) ? x : { data: Float32Array.from(x.data), rows: x.rows, cols: x.cols };
    const ys: UploadTargets | null = !y ? null : isClassIndices(y) ? y : { data: Float32Array.from(y.data), rows: y.rows, cols: y.cols };
    return new CpuDataset(xs, ys, x.rows, x.cols, outputs);
  }

  /** Copies the patterns order[start…start+rows) into the batch arrays. */
  private gather(b: Scratch, data: CpuDataset, order: ArrayLike<number>, start: number, rows: number): void {
    const { inputs, outputs } = data;
    for (let r = 0; r < rows; r++) {
      const p = order[start + r];
      inputRow(data.x, p, b.x, r * inputs);
      if (data.y) targetRow(data.y, p, b.d, r * outputs, outputs);
    }
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
      const y = forwardPass(this.spec, this.params, b.x, rows, b.ws, this.kernels);
      const m = batchMetrics(this.spec, y, b.d, rows);
      backprop(this.spec, this.params, b.x, b.d, rows, b.ws, this.kernels);
      this.t++;
      this.spec.layers.forEach((layer, l) => {
        updateWeights(o, this.params.W[l], b.ws.D[l], this.state[l].W, this.t, o.l2);
        if (layer.bias) updateWeights(o, this.params.b[l], b.ws.Db[l], this.state[l].b, this.t, 0);
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
    const total: Metrics = { lossSum: 0, correct: 0, count: 0 };
    this.sweep(data, (y, d, _from, rows) => {
      const m = batchMetrics(this.spec, y, d, rows);
      total.lossSum += m.lossSum;
      total.correct += m.correct;
      total.count += rows;
    });
    return total;
  }

  async predict(handle: DatasetHandle): Promise<Float32Array> {
    const data = handle as CpuDataset;
    const m = this.spec.layers[this.spec.layers.length - 1].units;
    const out = new Float32Array(data.rows * m);
    this.sweep(data, (y, _d, from, rows) => out.set(y.subarray(0, rows * m), from * m));
    return out;
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

export function createCpuBackend(options: CpuOptions = {}): Backend {
  const precision = options.precision ?? 'float32';
  const kernels = options.kernels ?? (precision === 'float32' ? 'fast' : 'reference');
  const make = precision === 'float64' ? (n: number) => new Float64Array(n) : (n: number) => new Float32Array(n);
  return {
    name: 'cpu',
    description: kernels === 'fast' ? `CPU (${precision}, fast JS kernels)` : `CPU reference (${precision}, plain loops)`,
    async compile(spec: NetworkSpec, params: LayerParams[]) {
      return new CpuSession(spec, params, make, kernels === 'fast' ? fastKernels : referenceKernels);
    },
    dispose() {},
  };
}
