/**
 * What one benchmark run records and how its epochs are timed, shared by the harness (training.ts) and every
 * peer (peers-*.ts). It lives apart from training.ts because training.ts imports the peers to run them: were
 * these in training.ts, the peers would import it back, an import cycle.
 */

/** a run whose final training accuracy is below this did not train: reported as an error */
const SANITY_ACCURACY = 0.3;

export interface BatchRun {
  batchSize: number;
  /** seconds of each epoch, warm-up included */
  epochSeconds: number[];
  /** mean samples/s over the epochs after the first */
  samplesPerSecond: number;
  /** warm-up epoch's samples/s */
  warmupSamplesPerSecond: number;
  finalLoss: number;
  finalAccuracy: number;
}

export interface BackendRun {
  backend: string;
  /** what it ran on: "CPU reference (float32)", the adapter, TF.js version and flags */
  device: string;
  runs: BatchRun[];
  /** RSS just before the backend was created (data loaded), bytes */
  rssBefore?: number;
  /** the child's peak RSS (getrusage maxrss), bytes */
  peakRss?: number;
  /** peakRss − rssBefore: memory the backend and its training added at its peak */
  peakRssDelta?: number;
  /** peak bytes in live GPU buffers (deltagpu webgpu: counted at createBuffer/destroy; TF.js: tf.memory()) */
  gpuBytesPeak?: number | null;
  gpuBytesNote?: string;
  /** 1-minute load average when the child finished (the child itself adds ~1–2 on this machine) */
  loadAverage?: number;
  error?: string;
}

interface EpochHooks {
  begin(): void;
  end(loss: number, accuracy: number): void;
}

export function epochTimer(epochs: number, n: number) {
  const seconds: number[] = [];
  let t0 = 0;
  let loss = NaN;
  let accuracy = NaN;
  const hooks: EpochHooks = {
    begin: () => {
      t0 = performance.now();
    },
    end: (l, a) => {
      seconds.push((performance.now() - t0) / 1000);
      loss = l;
      accuracy = a;
    },
  };
  const result = (batchSize: number): BatchRun => {
    if (seconds.length !== epochs) throw new Error(`expected ${epochs} epochs, timed ${seconds.length}`);
    const measured = seconds.slice(1);
    const sps = measured.reduce((s, t) => s + n / t, 0) / measured.length;
    if (!(sps > 0 && Number.isFinite(sps))) throw new Error(`batch ${batchSize}: throughput ${sps} is not a positive number`);
    if (!Number.isFinite(loss)) throw new Error(`batch ${batchSize}: the training loss is ${loss}: the backend did not train`);
    if (!(accuracy >= SANITY_ACCURACY)) {
      throw new Error(`batch ${batchSize}: training accuracy ${(accuracy * 100).toFixed(1)}% after ${epochs} epochs (expected ≥ ${SANITY_ACCURACY * 100}%): the backend did not train`);
    }
    return { batchSize, epochSeconds: seconds, samplesPerSecond: sps, warmupSamplesPerSecond: n / seconds[0], finalLoss: loss, finalAccuracy: accuracy };
  };
  return { hooks, result };
}

/** Wraps device.createBuffer / buffer.destroy to count live bytes (the backend exposes counts, not bytes). */
export function countGpuBytes(device: GPUDevice): { live: number; peak: number } | null {
  const stats = { live: 0, peak: 0 };
  try {
    const create = device.createBuffer.bind(device);
    (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = (desc: GPUBufferDescriptor) => {
      const buffer = create(desc);
      const size = desc.size;
      stats.live += size;
      stats.peak = Math.max(stats.peak, stats.live);
      const destroy = buffer.destroy.bind(buffer);
      let gone = false;
      (buffer as { destroy: () => undefined }).destroy = () => {
        if (!gone) {
          gone = true;
          stats.live -= size;
        }
        return destroy();
      };
      return buffer;
    };
    return stats;
  } catch {
    return null;
  }
}
