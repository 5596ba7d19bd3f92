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
import { DeviceLostError, NonFiniteError, TrainingStoppedError } from './errors.ts';
import type { Checkpoint, TrainPosition } from './checkpoint/state.ts';

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
  /** 'stop' (default): a non-finite loss or weight ends training with NonFiniteError; 'warn': say so once, go on */
  onNonFinite?: 'stop' | 'warn';
  warn?: (message: string) => void;
  /** where to pick up (a checkpoint's position); the caller has already set the session's state and rng */
  resume?: TrainPosition | null;
  /** checkpoints every N epochs (null: never); `take` builds (and writes) one and returns it */
  checkpoint?: { everyEpochs: number | null; take: (pos: TrainPosition) => Promise<Checkpoint> } | null;
  /** polled after every tick: a reason to stop, or null to go on */
  stopRequested?: () => 'disposed' | 'aborted' | null;
  /** after a session call failed: a description if the device is lost, else null */
  deviceLost?: () => Promise<string | null>;
}

/**
 * Lets the event loop run (signal handlers, timers, I/O): a CPU session's steps are synchronous, so
 * without this a Ctrl-C or an AbortSignal fired by a timer would not be seen until fit returned.
 */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

const copyHistory = (h: History) => ({ loss: [...h.loss], accuracy: [...h.accuracy], valLoss: [...h.valLoss], valAccuracy: [...h.valAccuracy], samplesPerSecond: [...h.samplesPerSecond] });

const mean = (m: Metrics) => ({ loss: m.lossSum / Math.max(1, m.count), accuracy: m.correct / Math.max(1, m.count) });

export async function train(session: TrainingSession, plan: TrainPlan): Promise<History> {
  const r = plan.resume ?? null;
  const h: History = {
    loss: [...(r?.history.loss ?? [])],
    accuracy: [...(r?.history.accuracy ?? [])],
    valLoss: [...(r?.history.valLoss ?? [])],
    valAccuracy: [...(r?.history.valAccuracy ?? [])],
    samplesPerSecond: [...(r?.history.samplesPerSecond ?? [])],
    epochs: r?.epoch ?? 0,
    stopReason: 'epochs',
  };
  const n = plan.train.rows;
  const B = plan.batchSize;
  const steps = Math.ceil(n / B);
  // a trace needs every step's values, so it runs one step per tick
  const stepsPerTick = plan.trace ? 1 : Math.max(1, Math.ceil(steps / plan.ticksPerEpoch));
  const inOrder = new Uint32Array(n).map((_, i) => i);
  let lastCheckpoint: Checkpoint | null = null;
  let warned = false;
  let epoch = (r?.epoch ?? 0) + 1;
  /** epochs completed; with `step` (steps done in the next one), where a checkpoint resumes */
  let done = r?.epoch ?? 0;
  let step = 0;
  let sum: Metrics = { lossSum: 0, correct: 0, count: 0 };
  let rngAtEpochStart = plan.rng.getState();

  const position = (): TrainPosition => ({ epoch: done, step, rng: rngAtEpochStart, partial: { ...sum }, history: copyHistory(h) });
  const checkpointNow = async () => {
    if (plan.checkpoint) lastCheckpoint = await plan.checkpoint.take(position());
  };
  const stopIfAsked = async () => {
    if (plan.stopRequested) await yieldToEventLoop();
    const why = plan.stopRequested?.();
    if (!why) return;
    await checkpointNow();
    throw new TrainingStoppedError(why, done, step, lastCheckpoint);
  };
  /** A session call; if it fails because the device is gone, a DeviceLostError carrying the last checkpoint. */
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const lost = (await plan.deviceLost?.()) ?? null;
      if (lost) throw new DeviceLostError(lost, epoch, lastCheckpoint);
      throw err;
    }
  };
  const bad = (m: Metrics) => !Number.isFinite(m.lossSum) || (m.nonFiniteLayers?.length ?? 0) > 0;
  /**
   * A tick went non-finite: undo it, then replay it one step at a time to find the step (and so keep
   * the weights from just before it). Costs nothing until it happens.
   */
  const locate = async (order: Uint32Array, from: number, k: number, m: Metrics): Promise<never> => {
    await guarded(() => session.rollback());
    for (let j = 0; j < k; j++) {
      const one = await guarded(() => session.trainSteps(plan.train, order, (from + j) * B, B, 1));
      if (bad(one)) {
        await guarded(() => session.rollback());
        throw new NonFiniteError(epoch, from + j + 1, one.nonFiniteLayers ?? [], one.lossSum);
      }
    }
    throw new NonFiniteError(epoch, from + k, m.nonFiniteLayers ?? [], m.lossSum);
  };

  for (; epoch <= plan.epochs; epoch++) {
    const resuming = r !== null && epoch === r.epoch + 1;
    done = epoch - 1;
    plan.callbacks.onEpochBegin?.(epoch);
    rngAtEpochStart = plan.rng.getState();
    const order = plan.shuffle ? plan.rng.permutation(n) : inOrder;
    sum = resuming ? { ...r.partial } : { lossSum: 0, correct: 0, count: 0 };
    step = resuming ? r.step : 0;
    const t0 = performance.now();
    for (let s = step; s < steps; s += stepsPerTick) {
      const k = Math.min(stepsPerTick, steps - s);
      const m = await guarded(() => session.trainSteps(plan.train, order, s * B, B, k));
      if (bad(m)) {
        if ((plan.onNonFinite ?? 'stop') === 'stop') await locate(order, s, k, m);
        if (!warned) (plan.warn ?? console.warn)(new NonFiniteError(epoch, s + k, m.nonFiniteLayers ?? [], m.lossSum).message.replace(/;.*$/, ' (onNonFinite: warn, training goes on)'));
        warned = true;
      }
      step = s + k;
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
      await stopIfAsked();
    }
    const seconds = (performance.now() - t0) / 1000;
    const logs: EpochLogs = { ...mean(sum), samplesPerSecond: n / Math.max(seconds, 1e-9), seconds };
    if (plan.validation) {
      const v = mean(await guarded(() => session.evaluate(plan.validation!)));
      logs.valLoss = v.loss;
      logs.valAccuracy = v.accuracy;
      h.valLoss.push(v.loss);
      h.valAccuracy.push(v.accuracy);
    }
    h.loss.push(logs.loss);
    h.accuracy.push(logs.accuracy);
    h.samplesPerSecond.push(logs.samplesPerSecond);
    h.epochs = epoch;
    // the position is now "epoch done": a checkpoint taken here resumes with the next epoch
    [done, step, sum, rngAtEpochStart] = [epoch, 0, { lossSum: 0, correct: 0, count: 0 }, plan.rng.getState()];
    const every = plan.checkpoint?.everyEpochs;
    if (every && epoch % every === 0) await checkpointNow();
    const goOn = await plan.callbacks.onEpochEnd?.(epoch, logs);
    if (plan.stopAtLoss !== null && logs.loss <= plan.stopAtLoss) {
      h.stopReason = 'stopAtLoss';
      break;
    }
    if (goOn === false) {
      h.stopReason = 'callback';
      break;
    }
    await stopIfAsked();
  }
  return h;
}
