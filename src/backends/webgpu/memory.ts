/**
 * Every GPU buffer of the backend goes through here: sizes are checked against the device's limits
 * before anything is created (a clear error naming the buffer instead of a validation error later), and
 * live buffers are counted, so tests can prove dispose() frees everything.
 *
 * Matrices are stored with rows padded to a multiple of 4 floats (zeros), so kernels can load vec4s;
 * `ld(cols)` is that padded row length, and pad/unpad convert host arrays.
 */

export const FLOAT = 4;

/** Padded row length (floats) of a matrix with `cols` columns. */
export function ld(cols: number): number {
  return Math.max(4, Math.ceil(cols / 4) * 4);
}

/** Copies rows × cols into a zero-padded rows × ld(cols) array. */
export function pad(src: Float32Array, rows: number, cols: number): Float32Array {
  const stride = ld(cols);
  if (stride === cols) return src;
  const out = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * cols, (r + 1) * cols), r * stride);
  return out;
}

/** The inverse of pad: rows × ld(cols) → rows × cols. */
export function unpad(src: Float32Array, rows: number, cols: number): Float32Array {
  const stride = ld(cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * stride, r * stride + cols), r * cols);
  return out;
}

/** Live buffers across every GpuMemory of the process (for leak tests). */
export const bufferStats = { created: 0, destroyed: 0, get live() { return this.created - this.destroyed; }, /** bytes of live buffers */ liveBytes: 0 };

export class BufferLimitError extends RangeError {
  constructor(
    readonly label: string,
    readonly bytes: number,
    readonly limitName: string,
    readonly limit: number,
  ) {
    super(
      `webgpu: buffer '${label}' needs ${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB), above this device's ` +
        `${limitName} of ${limit} bytes (${(limit / 2 ** 20).toFixed(1)} MiB); use smaller layers/batches or the CPU backend`,
    );
    this.name = 'BufferLimitError';
  }
}

export class GpuMemory {
  private readonly live = new Set<GPUBuffer>();

  constructor(readonly device: GPUDevice) {}

  /** Throws BufferLimitError if a buffer of `bytes` (bound as storage unless `storage` is false) cannot exist. */
  check(label: string, bytes: number, storage = true): void {
    const l = this.device.limits;
    if (bytes > l.maxBufferSize) throw new BufferLimitError(label, bytes, 'maxBufferSize', l.maxBufferSize);
    if (storage && bytes > l.maxStorageBufferBindingSize) {
      throw new BufferLimitError(label, bytes, 'maxStorageBufferBindingSize', l.maxStorageBufferBindingSize);
    }
  }

  /** A zero-filled buffer of at least `bytes` (rounded up to 16, never 0). */
  create(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    this.check(label, size, (usage & GPUBufferUsage.STORAGE) !== 0);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.live.add(buffer);
    bufferStats.created++;
    bufferStats.liveBytes += size;
    return buffer;
  }

  storage(label: string, bytes: number, extra: GPUBufferUsageFlags = 0): GPUBuffer {
    return this.create(label, bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extra);
  }

  /** A storage buffer holding `data` (padded to 16 bytes). */
  upload(label: string, data: ArrayBufferView & { byteLength: number }): GPUBuffer {
    const buffer = this.storage(label, data.byteLength);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  uniform(label: string, words: Uint32Array | Float32Array): GPUBuffer {
    const buffer = this.create(label, words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    return buffer;
  }

  destroy(buffer: GPUBuffer | null | undefined): void {
    if (!buffer || !this.live.has(buffer)) return;
    this.live.delete(buffer);
    buffer.destroy();
    bufferStats.destroyed++;
    bufferStats.liveBytes -= buffer.size;
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Destroys every buffer still alive, then submits once: SwiftShader frees memory only after a submit. */
  destroyAll(): void {
    for (const b of [...this.live]) this.destroy(b);
    this.device.queue.submit([]);
  }

  /**
   * Reads several buffers with one copy each into one staging buffer and a single mapAsync: the only
   * readback path of the backend (the staging buffer is destroyed afterwards).
   */
  async readMany(parts: { buffer: GPUBuffer; bytes: number }[], encoder?: GPUCommandEncoder): Promise<Float32Array[]> {
    const offsets: number[] = [];
    let total = 0;
    for (const p of parts) {
      offsets.push(total);
      total += Math.ceil(p.bytes / 16) * 16;
    }
    const staging = this.create('readback', total, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const enc = encoder ?? this.device.createCommandEncoder({ label: 'readback' });
    parts.forEach((p, k) => enc.copyBufferToBuffer(p.buffer, 0, staging, offsets[k], Math.ceil(p.bytes / 4) * 4));
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
      const all = staging.getMappedRange().slice(0);
      staging.unmap();
      return parts.map((p, k) => new Float32Array(all, offsets[k], p.bytes / 4));
    } finally {
      this.destroy(staging);
    }
  }
}
