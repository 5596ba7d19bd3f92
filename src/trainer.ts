/**
 * The training loop: epochs of shuffled (or ordered) patterns cut into batches, handed to the backend
 * many steps at a time. One call to the backend is one "tick": the whole epoch when nobody is watching,
 * or about `ticksPerEpoch` slices of it when a progress callback wants live numbers. Metrics come back
 * once per tick, so the GPU is never stalled by a per-step readback.
 *
 *   online SGD   batchSize 1        weights change after every pattern
 *   mini-batch   batchSize B        Δw averaged over each B patterns (the last batch may be short)
 *   full batch   batchSize 'full'   one averaged update per epoch
 */
import { Random } from './random.ts';
import type { DatasetHandle, LayerParams, Metrics, StepTrace, TrainingSession } from './backend.ts';

export interface EpochLogs {
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** training patterns per second of wall-clock time in this epoch's steps */
  samplesPerSecond: number;
  seconds: number;
}

export interface ProgressInfo {
  epoch: number;
  epochs: number;
  /** patterns done in this epoch so far, of `total` */
  done: number;
  total: number;
  /** running means over this epoch so far */
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}

/** One pattern's step (online SGD with `trace`): what the lecture's tables show. */
export interface TraceStep extends StepTrace {
  epoch: number;
  /** position in the epoch, 0-based */
  step: number;
  /** data set row of the pattern(s) */
  patterns: number[];
  /** parameters after this step's update */
  params: LayerParams[];
}

export interface Callbacks {
  onEpochBegin?(epoch: number): void;
  onProgress?(info: ProgressInfo): void;
  /** return `false` to stop training after this epoch (early stopping) */
  onEpochEnd?(epoch: number, logs: EpochLogs): void | boolean | Promise<void | boolean>;
}

export interface History {
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  samplesPerSecond: number[];
  /** epochs actually run */
  epochs: number;
  /** why training stopped: all epochs done, the loss reached stopAtLoss, or a callback asked */
  stopReason: 'epochs' | 'stopAtLoss' | 'callback';
}

export interface TrainPlan {
  train: DatasetHandle;
  validation: DatasetHandle | null;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  /** shuffle stream; the same seed gives the same orders on every backend */
  rng: Random;
  stopAtLoss: number | null;
  ticksPerEpoch: number;
  callbacks: Callbacks;
  trace: ((t: TraceStep) => void) | null;
}

const mean = (m: Metrics) => ({ loss: m.lossSum / Math.max(1, m.count), accuracy: m.correct / Math.max(1, m.count) });

export async function train(session: TrainingSession, plan: TrainPlan): Promise<History> {
  const h: History = { loss: [], accuracy: [], valLoss: [], valAccuracy: [], samplesPerSecond: [], epochs: 0, stopReason: 'epochs' };
  const n = plan.train.rows;
  const B = plan.batchSize;
  const steps = Math.ceil(n / B);
  // a trace needs every step's values, so it runs one step per tick
  const stepsPerTick = plan.trace ? 1 : Math.max(1, Math.ceil(steps / plan.ticksPerEpoch));
  const inOrder = new Uint32Array(n).map((_, i) => i);

  for (let epoch = 1; epoch <= plan.epochs; epoch++) {
    plan.callbacks.onEpochBegin?.(epoch);
    const order = plan.shuffle ? plan.rng.permutation(n) : inOrder;
    const sum: Metrics = { lossSum: 0, correct: 0, count: 0 };
    const t0 = performance.now();
    for (let s = 0; s < steps; s += stepsPerTick) {
      const k = Math.min(stepsPerTick, steps - s);
      const m = await session.trainSteps(plan.train, order, s * B, B, k);
      sum.lossSum += m.lossSum;
      sum.correct += m.correct;
      sum.count += m.count;
      if (plan.trace) {
        const last = await session.lastStep();
        const patterns = Array.from(order.subarray(s * B, Math.min(n, (s + 1) * B)));
        plan.trace({ ...last, epoch, step: s, patterns, params: await session.getParams() });
      }
      const secs = (performance.now() - t0) / 1000;
      plan.callbacks.onProgress?.({ epoch, epochs: plan.epochs, done: sum.count, total: n, ...mean(sum), samplesPerSecond: sum.count / Math.max(secs, 1e-9) });
    }
    const seconds = (performance.now() - t0) / 1000;
    const logs: EpochLogs = { ...mean(sum), samplesPerSecond: n / Math.max(seconds, 1e-9), seconds };
    if (!Number.isFinite(logs.loss)) {
      throw new Error(`training diverged: the loss became ${logs.loss} in epoch ${epoch}; try a smaller learning rate`);
    }
    if (plan.validation) {
      const v = mean(await session.evaluate(plan.validation));
      logs.valLoss = v.loss;
      logs.valAccuracy = v.accuracy;
      h.valLoss.push(v.loss);
      h.valAccuracy.push(v.accuracy);
    }
    h.loss.push(logs.loss);
    h.accuracy.push(logs.accuracy);
    h.samplesPerSecond.push(logs.samplesPerSecond);
    h.epochs = epoch;
    const goOn = await plan.callbacks.onEpochEnd?.(epoch, logs);
    if (plan.stopAtLoss !== null && logs.loss <= plan.stopAtLoss) {
      h.stopReason = 'stopAtLoss';
      break;
    }
    if (goOn === false) {
      h.stopReason = 'callback';
      break;
    }
  }
  return h;
}
