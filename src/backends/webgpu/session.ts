/**
 * A compiled network on the GPU: the TrainingSession of the contract (src/backend.ts).
 *
 * trainSteps writes the epoch's order and the first Step record, encodes every step into a few command
 * buffers (no readback in between: each step's position, row count and Adam t come from the GPU-side Step
 * record, see shaders/common.wgsl), and reads the summed metrics back with one mapAsync at the end.
 */
import type { DatasetHandle, LayerParams, Metrics, NetworkSpec, SessionState, StepTrace, TrainingSession, UploadInputs, UploadTargets } from '../../backend.ts';
import { checkUpload } from '../upload.ts';
import type { MatmulKernel, Kernels } from './kernels.ts';
import { GpuDataset } from './dataset.ts';
import { FLOAT, GpuMemory, ld, pad, unpad } from './memory.ts';
import { ParamBuffers } from './params.ts';
import { ParamHealth } from './health.ts';
import type { NetworkPipelines } from './pipelines.ts';
import { StepPlan, checkPlanSizes } from './plan.ts';
import type { ResidentData } from './plan.ts';

/** Rows per inference chunk (evaluate/predict), at most. */
const INFER_ROWS = 1024;
/** Dispatches per command buffer, roughly: many steps per submit, bounded command-buffer size. */
const DISPATCHES_PER_SUBMIT = 8192;

export class WebGpuSession implements TrainingSession {
  private readonly mem: GpuMemory;
  private readonly params: ParamBuffers;
  /** per-tick snapshot (for rollback) and non-finite flags of the parameters */
  private readonly health: ParamHealth;
  /** t at the last snapshot */
  private tBefore = 0;
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
    /** shaders/health.wgsl: non-finite flags of the updated parameters */
    healthPipeline: GPUComputePipeline,
    params: LayerParams[],
    private readonly onDispose: (s: WebGpuSession) => void,
    /** bytes one data set may hold on the GPU; larger sets are streamed in chunks (see dataset.ts) */
    private readonly dataBudget = Infinity,
  ) {
    this.mem = new GpuMemory(device);
    try {
      this.params = new ParamBuffers(this.mem, spec);
      this.params.write(params);
      this.health = new ParamHealth(this.mem, spec, this.params, healthPipeline);
      this.noOrder = this.mem.storage('no order (sequential)', 16);
    } catch (e) {
      this.mem.destroyAll();
      throw e;
    }
  }

  /** The matmul kernel of each product of the training step (null before the first step). */
  get matmulChoice(): Omit<StepPlan['choice'], 'conv'> | null {
    const c = this.train?.choice;
    return c ? { forward: c.forward, backprop: c.backprop, update: c.update } : null;
  }

  /** The forward kernel of each conv2d layer of the training step ('direct' for other kinds; null before the first step). */
  get convChoice(): StepPlan['choice']['conv'] | null {
    return this.train?.choice.conv ?? null;
  }

  /** Whether the training step keeps batches of 8-bit data as bytes into layer 0 (null before the first step). */
  get keepsBytes(): boolean | null {
    return this.train?.keepsBytes ?? null;
  }

  /** Live GPU buffers of this session (tests use it to prove dispose frees everything). */
  get liveBuffers(): number {
    return this.mem.liveCount;
  }

  private live(): void {
    if (this.disposed) throw new Error('webgpu: this training session was disposed');
  }

  async upload(x: UploadInputs, y?: UploadTargets): Promise<DatasetHandle> {
    this.live();
    const outputs = this.spec.layers[this.spec.layers.length - 1].units;
    checkUpload(x, y, this.spec.layers[0].inputs, outputs, 'webgpu upload');
    const l = this.mem.device.limits;
    const limits = { binding: Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize), budget: this.dataBudget };
    const forget = (part: ResidentData) => {
      this.train?.forget(part);
      this.infer?.forget(part);
    };
    const data = new GpuDataset(this.mem, x, y, outputs, limits, (d) => this.release(d), forget);
    this.datasets.add(data);
    return data;
  }

  /** Called by GpuDataset.dispose. */
  release(data: GpuDataset): void {
    data.disposed = true;
    this.datasets.delete(data);
    for (const part of data.parts) {
      this.train?.forget(part);
      this.infer?.forget(part);
    }
    for (const b of data.buffers()) this.mem.destroy(b);
  }

  private dataset(handle: DatasetHandle, needTargets: boolean, what: string): GpuDataset {
    const data = handle as GpuDataset;
    if (!(data instanceof GpuDataset) || !this.datasets.has(data)) {
      throw new Error(`webgpu ${what}: the data set was not uploaded to this session (or was disposed)`);
    }
    if (needTargets && !data.hasTargets) throw new Error(`webgpu ${what}: needs a data set uploaded with targets y`);
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

  private async readMetrics(plan: StepPlan, enc: GPUCommandEncoder, expected: number, health = false): Promise<Metrics> {
    const [raw, flags] = await this.mem.readMany([{ buffer: plan.accum, bytes: 16 }, ...(health ? [this.health.part] : [])], enc);
    const u = new Uint32Array(raw.buffer, raw.byteOffset, 4);
    const m: Metrics = { lossSum: raw[0], correct: u[2], count: u[3] };
    if (health) m.nonFiniteLayers = this.health.badLayers(flags);
    if (m.count !== expected) throw new Error(`webgpu: the GPU counted ${m.count} patterns, expected ${expected} (device lost?)`);
    return m;
  }

  /**
   * Calls `encode` once per window of rows [from, to): one window over a resident set, or one per streamed
   * chunk (loaded in turn, at most two on the GPU; see dataset.ts). Every window's commands but the last are
   * submitted here; the last encoder is returned unsubmitted for the caller's readback.
   */
  private async windows(
    data: GpuDataset,
    order: Uint32Array | null,
    from: number,
    to: number,
    multiple: number,
    encode: (part: ResidentData, w: { pos: number; rows: number }, first: boolean) => GPUCommandEncoder,
  ): Promise<GPUCommandEncoder> {
    if (data.resident) return encode(data.resident, { pos: from, rows: to - from }, true);
    const ws = data.windows(from, to, multiple);
    let enc: GPUCommandEncoder | null = null;
    for (let k = 0; k < ws.length; k++) {
      const part = await data.load(k, order, ws[k].pos, ws[k].rows);
      enc = encode(part, ws[k], k === 0);
      if (k < ws.length - 1) {
        this.mem.device.queue.submit([enc.finish()]);
        data.submitted(k);
      }
    }
    return enc!;
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
    await plan.keepBytesFor(data.variant);
    const end = Math.min(order.length, start + n * batchSize);
    // a resident set gathers through the order on the GPU; a streamed chunk already holds its rows in order
    const orderBuf = data.resident ? this.uploadOrder(order) : this.noOrder;
    // the parameters as they were before this tick, for rollback() when the health check finds a NaN
    this.health.snapshot();
    this.tBefore = this.t;
    let t = this.t + 1;
    const enc = await this.windows(data, order, start, end, batchSize, (part, w, first) => {
      const resident = part === data.resident;
      if (resident) plan.begin(start, Math.min(batchSize, order.length - start), t, batchSize, order.length, false);
      else plan.begin(0, Math.min(batchSize, w.rows), t, batchSize, w.rows, true, !first);
      const k = resident ? n : Math.ceil(w.rows / batchSize);
      t += k;
      return this.encodeMany(k, plan.dispatchesPerStep, (pass) => {
        const packed = plan.encodeGather(pass, part, orderBuf);
        plan.encodeForward(pass, packed);
        plan.encodeOutputDelta(pass);
        plan.encodeBackprop(pass);
        plan.encodeUpdateWeights(pass, packed);
        plan.encodeAdvance(pass);
      });
    });
    this.t += n;
    const lastStart = start + (n - 1) * batchSize;
    this.lastRows = Math.min(batchSize, order.length - lastStart);
    this.health.encode(enc);
    return this.readMetrics(plan, enc, end - start, true);
  }

  /** The inference plan for a data set: batches no larger than one streamed chunk. */
  private inferFor(data: GpuDataset): Promise<StepPlan> {
    return this.inferPlan(data.resident ? data.rows : Math.min(data.rows, data.chunkRows));
  }

  async evaluate(handle: DatasetHandle): Promise<Metrics> {
    this.live();
    const data = this.dataset(handle, true, 'evaluate');
    if (data.rows === 0) return { lossSum: 0, correct: 0, count: 0 };
    const plan = await this.inferFor(data);
    await plan.keepBytesFor(data.variant);
    const cap = plan.capacity;
    const enc = await this.windows(data, null, 0, data.rows, 1, (part, w, first) => {
      plan.begin(0, Math.min(cap, w.rows), 0, cap, w.rows, true, !first);
      return this.encodeMany(Math.ceil(w.rows / cap), plan.dispatchesPerStep, (pass) => {
        plan.encodeForward(pass, plan.encodeGather(pass, part, this.noOrder));
        plan.encodeOutputDelta(pass);
        plan.encodeAdvance(pass);
      });
    });
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
      // compute passes cannot copy, so each batch gets its own pass: one command buffer per window
      const plan = await this.inferFor(data);
      await plan.keepBytesFor(data.variant);
      const cap = plan.capacity;
      const last = plan.Y[plan.Y.length - 1];
      const enc = await this.windows(data, null, 0, data.rows, 1, (part, w) => {
        plan.begin(0, Math.min(cap, w.rows), 0, cap, w.rows, true);
        const e = this.mem.device.createCommandEncoder({ label: 'predict' });
        for (let from = 0; from < w.rows; from += cap) {
          const pass = e.beginComputePass();
          plan.encodeForward(pass, plan.encodeGather(pass, part, this.noOrder));
          plan.encodeAdvance(pass);
          pass.end();
          e.copyBufferToBuffer(last, 0, out, (w.pos + from) * rowBytes, Math.min(cap, w.rows - from) * rowBytes);
        }
        return e;
      });
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

  async getState(): Promise<SessionState> {
    this.live();
    return { params: await this.params.read(), optimizer: await this.params.readState(), t: this.t };
  }

  async setState(state: SessionState): Promise<void> {
    this.live();
    this.params.write(state.params);
    this.params.writeState(state.optimizer);
    this.t = state.t;
  }

  async rollback(): Promise<void> {
    this.live();
    this.health.restore();
    this.t = this.tBefore;
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
