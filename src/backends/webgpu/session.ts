/**
 * A compiled network on the GPU: the TrainingSession of the contract (src/backend.ts).
 *
 * trainSteps writes the epoch's order and the first Step record, encodes every step into a few command
 * buffers (no readback in between: each step's position, row count and Adam t come from the GPU-side Step
 * record, see shaders/common.wgsl), and reads the summed metrics back with one mapAsync at the end.
 */
import type { DatasetHandle, LayerParams, Metrics, NetworkSpec, StepTrace, TrainingSession } from '../../backend.ts';
import type { Matrix } from '../../tensor.ts';
import { FLOAT, GpuMemory, ld, pad, unpad } from './memory.ts';
import { ParamBuffers } from './params.ts';
import type { NetworkPipelines } from './pipelines.ts';
import { StepPlan, checkPlanSizes } from './plan.ts';
import type { ResidentData } from './plan.ts';

/** Rows per inference chunk (evaluate/predict), at most. */
const INFER_ROWS = 1024;
/** Dispatches per command buffer, roughly: many steps per submit, bounded command-buffer size. */
const DISPATCHES_PER_SUBMIT = 8192;

class GpuDataset implements DatasetHandle, ResidentData {
  disposed = false;
  constructor(
    private readonly session: WebGpuSession,
    readonly X: GPUBuffer,
    readonly D: GPUBuffer | null,
    readonly rows: number,
    readonly inputs: number,
    readonly outputs: number,
  ) {}
  dispose(): void {
    if (!this.disposed) this.session.release(this);
  }
}

export class WebGpuSession implements TrainingSession {
  private readonly mem: GpuMemory;
  private readonly params: ParamBuffers;
  private train: StepPlan | null = null;
  private infer: StepPlan | null = null;
  private order: GPUBuffer | null = null;
  private readonly noOrder: GPUBuffer;
  private readonly datasets = new Set<GpuDataset>();
  /** Adam's t: updates since compile/setParams */
  private t = 0;
  private lastRows = 0;
  private disposed = false;

  constructor(
    device: GPUDevice,
    private readonly spec: NetworkSpec,
    /** the pipelines for a plan of `rows` rows (matmul kernels tuned for that shape, or forced) */
    private readonly pipesFor: (rows: number, training: boolean) => Promise<NetworkPipelines>,
    params: LayerParams[],
    private readonly onDispose: (s: WebGpuSession) => void,
  ) {
    this.mem = new GpuMemory(device);
    try {
      this.params = new ParamBuffers(this.mem, spec);
      this.params.write(params);
      this.noOrder = this.mem.storage('no order (sequential)', 16);
    } catch (e) {
      this.mem.destroyAll();
      throw e;
    }
  }

  /** The matmul kernel of each product of the training step (null before the first step). */
  get matmulChoice(): StepPlan['choice'] | null {
    return this.train?.choice ?? null;
  }

  /** Live GPU buffers of this session (tests use it to prove dispose frees everything). */
  get liveBuffers(): number {
    return this.mem.liveCount;
  }

  private live(): void {
    if (this.disposed) throw new Error('webgpu: this training session was disposed');
  }

  async upload(x: Matrix, y?: Matrix): Promise<DatasetHandle> {
    this.live();
    const first = this.spec.layers[0];
    const last = this.spec.layers[this.spec.layers.length - 1];
    if (x.cols !== first.inputs) throw new RangeError(`webgpu upload: x has ${x.cols} columns, the network takes ${first.inputs} inputs`);
    if (y && (y.cols !== last.units || y.rows !== x.rows)) {
      throw new RangeError(`webgpu upload: y is ${y.rows}×${y.cols}, expected ${x.rows}×${last.units}`);
    }
    this.mem.check(`data set inputs (${x.rows}×${x.cols})`, x.rows * ld(x.cols) * FLOAT);
    if (y) this.mem.check(`data set targets (${y.rows}×${y.cols})`, y.rows * ld(y.cols) * FLOAT);
    const X = this.mem.upload(`data set inputs (${x.rows}×${x.cols})`, pad(x.data, x.rows, x.cols));
    const D = y ? this.mem.upload(`data set targets (${y.rows}×${y.cols})`, pad(y.data, y.rows, y.cols)) : null;
    const data = new GpuDataset(this, X, D, x.rows, x.cols, last.units);
    this.datasets.add(data);
    return data;
  }

  /** Called by GpuDataset.dispose. */
  release(data: GpuDataset): void {
    data.disposed = true;
    this.datasets.delete(data);
    this.train?.forget(data);
    this.infer?.forget(data);
    this.mem.destroy(data.X);
    this.mem.destroy(data.D);
  }

  private dataset(handle: DatasetHandle, needTargets: boolean, what: string): GpuDataset {
    const data = handle as GpuDataset;
    if (!(data instanceof GpuDataset) || !this.datasets.has(data)) {
      throw new Error(`webgpu ${what}: the data set was not uploaded to this session (or was disposed)`);
    }
    if (needTargets && !data.D) throw new Error(`webgpu ${what}: needs a data set uploaded with targets y`);
    return data;
  }

  private async trainPlan(rows: number): Promise<StepPlan> {
    if (!this.train || this.train.capacity < rows) {
      checkPlanSizes(this.mem, this.spec, rows, true); // before tuning: a too-big batch fails by name, untouched
      const pipes = await this.pipesFor(rows, true);
      this.live();
      this.train?.dispose();
      this.train = null;
      this.train = new StepPlan(this.mem, this.spec, pipes, this.params, rows, true);
    }
    return this.train;
  }

  private async inferPlan(rows: number): Promise<StepPlan> {
    const want = Math.min(rows, INFER_ROWS);
    if (!this.infer || this.infer.capacity < want) {
      checkPlanSizes(this.mem, this.spec, want, false);
      const pipes = await this.pipesFor(want, false);
      this.live();
      this.infer?.dispose();
      this.infer = null;
      this.infer = new StepPlan(this.mem, this.spec, pipes, this.params, want, false);
    }
    return this.infer;
  }

  private uploadOrder(order: Uint32Array): GPUBuffer {
    const bytes = Math.max(16, order.byteLength);
    if (!this.order || this.order.size < bytes) {
      this.mem.destroy(this.order);
      this.order = this.mem.storage('epoch order', bytes);
      this.train?.forget();
    }
    this.mem.device.queue.writeBuffer(this.order, 0, order.buffer, order.byteOffset, order.byteLength);
    return this.order;
  }

  /**
   * Encodes `count` repetitions of `body`, a bounded number per command buffer; the last command buffer
   * is returned unsubmitted (its encoder), so the caller can append the readback copy to it.
   */
  private encodeMany(count: number, perItem: number, body: (pass: GPUComputePassEncoder, k: number) => void): GPUCommandEncoder {
    const device = this.mem.device;
    const per = Math.max(1, Math.floor(DISPATCHES_PER_SUBMIT / perItem));
    let enc = device.createCommandEncoder({ label: 'steps' });
    for (let k0 = 0; k0 < count; k0 += per) {
      if (k0 > 0) {
        device.queue.submit([enc.finish()]);
        enc = device.createCommandEncoder({ label: 'steps' });
      }
      const pass = enc.beginComputePass();
      for (let k = k0; k < Math.min(count, k0 + per); k++) body(pass, k);
      pass.end();
    }
    return enc;
  }

  private async readMetrics(plan: StepPlan, enc: GPUCommandEncoder, expected: number): Promise<Metrics> {
    const [raw] = await this.mem.readMany([{ buffer: plan.accum, bytes: 16 }], enc);
    const u = new Uint32Array(raw.buffer, raw.byteOffset, 4);
    const m = { lossSum: raw[0], correct: u[2], count: u[3] };
    if (m.count !== expected) throw new Error(`webgpu: the GPU counted ${m.count} patterns, expected ${expected} (device lost?)`);
    return m;
  }

  async trainSteps(handle: DatasetHandle, order: Uint32Array, start: number, batchSize: number, steps: number): Promise<Metrics> {
    this.live();
    const data = this.dataset(handle, true, 'trainSteps');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`webgpu trainSteps: batchSize must be an integer ≥ 1, got ${batchSize}`);
    if (!Number.isInteger(start) || start < 0) throw new RangeError(`webgpu trainSteps: start must be an integer ≥ 0, got ${start}`);
    for (let k = 0; k < order.length; k++) {
      if (order[k] >= data.rows) throw new RangeError(`webgpu trainSteps: order[${k}] = ${order[k]} is not a row of the ${data.rows}-row data set`);
    }
    // like the CPU backend: steps past the end of `order` are not taken
    const n = Math.max(0, Math.min(steps, Math.ceil((order.length - start) / batchSize)));
    if (n === 0) return { lossSum: 0, correct: 0, count: 0 };
    const plan = await this.trainPlan(Math.min(batchSize, order.length));
    const orderBuf = this.uploadOrder(order);
    plan.begin(start, Math.min(batchSize, order.length - start), this.t + 1, batchSize, order.length, false);
    const enc = this.encodeMany(n, plan.dispatchesPerStep, (pass) => {
      plan.encodeGather(pass, data, orderBuf);
      plan.encodeForward(pass);
      plan.encodeOutputDelta(pass);
      plan.encodeBackprop(pass);
      plan.encodeUpdateWeights(pass);
      plan.encodeAdvance(pass);
    });
    this.t += n;
    const lastStart = start + (n - 1) * batchSize;
    this.lastRows = Math.min(batchSize, order.length - lastStart);
    const expected = Math.min(order.length, start + n * batchSize) - start;
    return this.readMetrics(plan, enc, expected);
  }

  /** Encodes gather + forward over the whole data set in chunks; `after` adds per-chunk work. */
  private async sweep(data: GpuDataset, after: (pass: GPUComputePassEncoder, plan: StepPlan) => void): Promise<{ plan: StepPlan; enc: GPUCommandEncoder }> {
    const plan = await this.inferPlan(data.rows);
    const cap = plan.capacity;
    const chunks = Math.ceil(data.rows / cap);
    plan.begin(0, Math.min(cap, data.rows), 0, cap, data.rows, true);
    const enc = this.encodeMany(chunks, plan.dispatchesPerStep, (pass) => {
      plan.encodeGather(pass, data, this.noOrder);
      plan.encodeForward(pass);
      after(pass, plan);
      plan.encodeAdvance(pass);
    });
    return { plan, enc };
  }

  async evaluate(handle: DatasetHandle): Promise<Metrics> {
    this.live();
    const data = this.dataset(handle, true, 'evaluate');
    if (data.rows === 0) return { lossSum: 0, correct: 0, count: 0 };
    const { plan, enc } = await this.sweep(data, (pass, p) => p.encodeOutputDelta(pass));
    return this.readMetrics(plan, enc, data.rows);
  }

  async predict(handle: DatasetHandle): Promise<Float32Array> {
    this.live();
    const data = this.dataset(handle, false, 'predict');
    const m = this.spec.layers[this.spec.layers.length - 1].units;
    if (data.rows === 0) return new Float32Array(0);
    const rowBytes = ld(m) * FLOAT;
    const out = this.mem.storage(`predictions (${data.rows}×${m})`, data.rows * rowBytes);
    try {
      // compute passes cannot copy, so each chunk gets its own pass: one command buffer per chunk group
      const plan = await this.inferPlan(data.rows);
      const cap = plan.capacity;
      const device = this.mem.device;
      plan.begin(0, Math.min(cap, data.rows), 0, cap, data.rows, true);
      const enc = device.createCommandEncoder({ label: 'predict' });
      const last = plan.Y[plan.Y.length - 1];
      for (let from = 0; from < data.rows; from += cap) {
        const pass = enc.beginComputePass();
        plan.encodeGather(pass, data, this.noOrder);
        plan.encodeForward(pass);
        plan.encodeAdvance(pass);
        pass.end();
        enc.copyBufferToBuffer(last, 0, out, from * rowBytes, Math.min(cap, data.rows - from) * rowBytes);
      }
      const [raw] = await this.mem.readMany([{ buffer: out, bytes: data.rows * rowBytes }], enc);
      return unpad(raw, data.rows, m);
    } finally {
      this.mem.destroy(out);
    }
  }

  async getParams(): Promise<LayerParams[]> {
    this.live();
    return this.params.read();
  }

  async setParams(params: LayerParams[]): Promise<void> {
    this.live();
    this.params.write(params);
    this.t = 0;
  }

  async lastStep(): Promise<StepTrace> {
    this.live();
    const plan = this.train;
    if (!plan || this.lastRows === 0) throw new Error('webgpu lastStep: no training step has run yet');
    const rows = this.lastRows;
    const layers = this.spec.layers;
    const parts = [...plan.V, ...plan.Y, ...plan.delta].map((buffer, k) => ({
      buffer,
      bytes: rows * ld(layers[k % layers.length].units) * FLOAT,
    }));
    const arrays = await this.mem.readMany(parts);
    const L = layers.length;
    const take = (from: number) => layers.map((layer, l) => unpad(arrays[from + l], rows, layer.units));
    return { v: take(0), y: take(L), delta: take(2 * L) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.train?.dispose();
    this.infer?.dispose();
    for (const d of [...this.datasets]) d.disposed = true;
    this.datasets.clear();
    this.mem.destroyAll();
    this.onDispose(this);
  }
}
