/**
 * A data set on the GPU, in its own width: float32 or 8-bit inputs (bytes packed four to a u32 word, rows
 * padded to ld(cols) bytes), float32 target rows or one u32 class index per row. shaders/gather.wgsl widens
 * bytes and expands class indices when it builds a batch.
 *
 * A set that fits (every buffer within maxStorageBufferBindingSize and maxBufferSize, the whole within the
 * user's data budget) is uploaded once and stays resident. A larger one stays on the host and is streamed:
 * each call walks its span of the epoch's order in windows ("chunks") of whole batches; the host copies the
 * window's rows, in order, into one of two chunk buffers while the GPU trains on the other, and the
 * gather reads the chunk in place. The patterns, batches and their order are the ones the resident path
 * would see, so the results are the same; only the bytes crossing the bus differ.
 */
import type { DatasetHandle, UploadInputs, UploadTargets } from '../../backend.ts';
import { isByteMatrix, isClassIndices } from '../upload.ts';
import { FLOAT, ld } from './memory.ts';
import type { GpuMemory } from './memory.ts';
import { gatherVariant } from './pipelines.ts';
import type { GatherVariant } from './pipelines.ts';
import type { ResidentData } from './plan.ts';

/** Host staging per writeBuffer when streaming: rows are packed and written in blocks of this size. */
const STAGING_BYTES = 8 * 2 ** 20;

/** Bytes of one padded input row / target row on the GPU for this format. */
export function rowBytes(x: UploadInputs, y: UploadTargets | undefined, outputs: number): { x: number; d: number } {
  return {
    x: isByteMatrix(x) ? ld(x.cols) : ld(x.cols) * FLOAT,
    d: !y ? 0 : isClassIndices(y) ? 4 : ld(outputs) * FLOAT,
  };
}

/** Where a data set may live: the binding/buffer limit and the user's budget for one data set's buffers. */
export interface DataLimits {
  /** min(maxStorageBufferBindingSize, maxBufferSize) */
  binding: number;
  /** bytes one data set may hold on the GPU (Infinity: no budget); a streamed set holds two chunks */
  budget: number;
}

/**
 * Rows per chunk, or 0 when the whole set fits and stays resident. Each chunk buffer is within the binding
 * limit and the two chunks together within the budget.
 */
export function chunkRows(rows: number, bytes: { x: number; d: number }, limits: DataLimits): number {
  const fits = rows * bytes.x <= limits.binding && rows * bytes.d <= limits.binding && rows * (bytes.x + bytes.d) <= limits.budget;
  if (fits) return 0;
  const byBinding = Math.floor(limits.binding / Math.max(bytes.x, bytes.d));
  const byBudget = Math.floor(limits.budget / 2 / (bytes.x + bytes.d));
  return Math.min(byBinding, byBudget);
}

/** The rows order[pos…pos+rows) (or pos… in place when order is null) of x, padded, in GPU layout. */
function packInputs(x: UploadInputs, order: Uint32Array | null, pos: number, rows: number, out: Uint8Array | Float32Array): void {
  const c = x.cols;
  const stride = ld(c);
  const src = isByteMatrix(x) ? x.bytes : x.data;
  for (let r = 0; r < rows; r++) {
    const p = order ? order[pos + r] : pos + r;
    out.set(src.subarray(p * c, (p + 1) * c), r * stride);
  }
}

function packTargets(y: UploadTargets, order: Uint32Array | null, pos: number, rows: number, out: Uint32Array | Float32Array, outputs: number): void {
  if (isClassIndices(y)) {
    for (let r = 0; r < rows; r++) out[r] = y.indices[order ? order[pos + r] : pos + r];
    return;
  }
  const stride = ld(outputs);
  for (let r = 0; r < rows; r++) {
    const p = order ? order[pos + r] : pos + r;
    out.set(y.data.subarray(p * outputs, (p + 1) * outputs), r * stride);
  }
}

export class GpuDataset implements DatasetHandle {
  disposed = false;
  readonly variant: GatherVariant;
  /** the whole set on the GPU, or null when it is streamed */
  readonly resident: ResidentData | null;
  /** rows per streamed chunk (0 when resident) */
  readonly chunkRows: number;
  readonly rowBytes: { x: number; d: number };
  readonly rows: number;
  readonly inputs: number;
  private readonly slots: ResidentData[] = [];
  private readonly slotRows: number[] = [0, 0];
  private readonly fences: (Promise<void> | null)[] = [null, null];
  private hostX: Uint8Array | Float32Array | null = null;
  private hostD: Uint32Array | Float32Array | null = null;

  constructor(
    private readonly mem: GpuMemory,
    private readonly x: UploadInputs,
    private readonly y: UploadTargets | undefined,
    readonly outputs: number,
    limits: DataLimits,
    private readonly onDispose: (d: GpuDataset) => void,
    /** a chunk buffer was replaced by a larger one: cached bind groups on the old one must go */
    private readonly onResize: (old: ResidentData) => void = () => {},
  ) {
    this.rows = x.rows;
    this.inputs = x.cols;
    this.variant = gatherVariant(isByteMatrix(x), !!y && isClassIndices(y));
    this.rowBytes = rowBytes(x, y, outputs);
    this.chunkRows = chunkRows(x.rows, this.rowBytes, limits);
    if (this.chunkRows === 0) {
      this.resident = this.allocate('data set', x.rows);
      this.write(this.resident, null, 0, x.rows);
      this.hostX = this.hostD = null; // written; the queue has its own copy
    } else {
      if (this.chunkRows < 1) {
        throw new RangeError(`webgpu upload: one row (${this.rowBytes.x + this.rowBytes.d} bytes) does not fit in a data chunk (binding limit ${limits.binding}, budget ${limits.budget} bytes)`);
      }
      this.resident = null;
    }
  }

  get hasTargets(): boolean {
    return !!this.y;
  }

  /** Every ResidentData this set has made (to forget cached bind groups when it is disposed). */
  get parts(): ResidentData[] {
    return this.resident ? [this.resident] : this.slots;
  }

  private allocate(what: string, rows: number): ResidentData {
    const xs = `${what} inputs (${rows}×${this.inputs}${isByteMatrix(this.x) ? ', bytes' : ''})`;
    const ds = `${what} targets (${rows}${this.y && isClassIndices(this.y) ? ' class indices' : `×${this.outputs}`})`;
    this.mem.check(xs, rows * this.rowBytes.x);
    if (this.y) this.mem.check(ds, rows * this.rowBytes.d);
    const X = this.mem.storage(xs, rows * this.rowBytes.x);
    const D = this.y ? this.mem.storage(ds, rows * this.rowBytes.d) : null;
    return { X, D, variant: this.variant };
  }

  /**
   * Copies `rows` rows (order[pos…] or pos… in place) into `into`, packed on the host in blocks of at most
   * STAGING_ROWS_BYTES (the queue copies each writeBuffer at once, so one small staging array is reused).
   */
  private write(into: ResidentData, order: Uint32Array | null, pos: number, rows: number): void {
    const q = this.mem.device.queue;
    // a resident set already in GPU layout is written straight from the caller's array, with no copy
    if (!order && pos === 0 && rows === this.rows && ld(this.inputs) === this.inputs) {
      const src = isByteMatrix(this.x) ? this.x.bytes : this.x.data;
      q.writeBuffer(into.X, 0, src.buffer, src.byteOffset, src.byteLength);
    } else {
      const block = Math.max(1, Math.min(rows, Math.floor(STAGING_BYTES / this.rowBytes.x)));
      const bytes = block * this.rowBytes.x;
      if (!this.hostX || this.hostX.byteLength < bytes) this.hostX = isByteMatrix(this.x) ? new Uint8Array(bytes) : new Float32Array(bytes / FLOAT);
      for (let r = 0; r < rows; r += block) {
        const n = Math.min(block, rows - r);
        packInputs(this.x, order, pos + r, n, this.hostX);
        q.writeBuffer(into.X, r * this.rowBytes.x, this.hostX.buffer, this.hostX.byteOffset, n * this.rowBytes.x);
      }
    }
    if (this.y && into.D) {
      const needD = rows * this.rowBytes.d;
      if (!this.hostD || this.hostD.byteLength < needD) this.hostD = isClassIndices(this.y) ? new Uint32Array(needD / 4) : new Float32Array(needD / FLOAT);
      packTargets(this.y, order, pos, rows, this.hostD, this.outputs);
      q.writeBuffer(into.D, 0, this.hostD.buffer, this.hostD.byteOffset, needD);
    }
  }

  /**
   * Puts window k (rows order[pos…pos+rows), or pos… in place) on the GPU and returns where it is. Windows
   * alternate between two chunk buffers; before one is overwritten, the work submitted on it (see
   * submitted) must be done, so at most two chunks are resident and the host never races the GPU. A chunk
   * buffer holds the largest window seen (windows are balanced, so that is about rows ÷ windows).
   */
  async load(k: number, order: Uint32Array | null, pos: number, rows: number): Promise<ResidentData> {
    const s = k % 2;
    const fence = this.fences[s];
    if (fence) await fence;
    this.fences[s] = null;
    if (!this.slots[s] || this.slotRows[s] < rows) {
      const old = this.slots[s];
      if (old) {
        this.onResize(old);
        for (const buf of [old.X, old.D]) this.mem.destroy(buf);
      }
      this.slots[s] = this.allocate(`data chunk ${s}`, rows);
      this.slotRows[s] = rows;
    }
    this.write(this.slots[s], order, pos, rows);
    return this.slots[s];
  }

  /** Marks window k's work as submitted: its chunk buffer is reused only after that work is done. */
  submitted(k: number): void {
    this.fences[k % 2] = this.mem.device.queue.onSubmittedWorkDone();
  }

  /**
   * The windows [pos, pos+rows) that cover from…to: as few as the chunk size allows, of equal size (a
   * multiple of `multiple` rows, but the last), so the two chunk buffers are no larger than needed.
   */
  windows(from: number, to: number, multiple: number): { pos: number; rows: number }[] {
    const cap = Math.floor(this.chunkRows / multiple) * multiple;
    if (cap < 1) {
      throw new RangeError(
        `webgpu: a batch of ${multiple} rows (${multiple * (this.rowBytes.x + this.rowBytes.d)} bytes) does not fit in one data chunk ` +
          `of ${this.chunkRows} rows; use a smaller batch or a larger data budget`,
      );
    }
    const count = Math.ceil((to - from) / cap);
    const per = Math.min(cap, Math.ceil((to - from) / count / multiple) * multiple);
    const out: { pos: number; rows: number }[] = [];
    for (let pos = from; pos < to; pos += per) out.push({ pos, rows: Math.min(per, to - pos) });
    return out;
  }

  /** GPU buffers of this set (the resident one or the chunks). */
  buffers(): GPUBuffer[] {
    return this.parts.flatMap((p) => (p.D ? [p.X, p.D] : [p.X]));
  }

  dispose(): void {
    if (!this.disposed) this.onDispose(this);
  }
}
