/**
 * GPU time of some dispatches: timestamp queries around one compute pass where the device has the
 * `timestamp-query` feature, else the wall clock around submit → onSubmittedWorkDone (which then includes
 * the submit's own overhead, so callers run enough repetitions to make that small).
 */

export interface GpuTime {
  /** milliseconds per repetition */
  ms: number;
  timing: 'timestamp' | 'wall';
}

/** Times one compute pass into which `encode` records `reps` repetitions of the work. */
export async function timePass(device: GPUDevice, reps: number, encode: (pass: GPUComputePassEncoder, reps: number) => void): Promise<GpuTime> {
  const useTs = device.features.has('timestamp-query');
  const enc = device.createCommandEncoder({ label: 'timing' });
  let qs: GPUQuerySet | null = null;
  let resolve: GPUBuffer | null = null;
  let read: GPUBuffer | null = null;
  if (useTs) {
    qs = device.createQuerySet({ type: 'timestamp', count: 2 });
    resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
  const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : undefined);
  encode(pass, reps);
  pass.end();
  if (qs && resolve && read) {
    enc.resolveQuerySet(qs, 0, 2, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16);
  }
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  const wall = performance.now() - t0;
  try {
    if (qs && resolve && read) {
      await read.mapAsync(GPUMapMode.READ);
      const [a, b] = new BigUint64Array(read.getMappedRange());
      read.unmap();
      const ms = Number(b - a) / 1e6;
      // some adapters report zeros or a reversed pair (quantised or disabled timers): fall back to the wall clock
      if (ms > 0) return { ms: ms / reps, timing: 'timestamp' };
    }
    return { ms: wall / reps, timing: 'wall' };
  } finally {
    qs?.destroy();
    resolve?.destroy();
    read?.destroy();
  }
}
