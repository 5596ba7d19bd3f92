/**
 * Ready-made callbacks for model.fit, as Keras has them.
 */
import type { Callbacks, EpochLogs } from './trainer.ts';

/**
 * Stops training when the monitored loss (validation loss if there is one, else the training loss) has
 * not improved by more than `minDelta` for `patience` epochs in a row. `onStop` hears why.
 */
export function earlyStopping(patience: number, options: { minDelta?: number; onStop?: (message: string) => void } = {}): Callbacks {
  if (!Number.isInteger(patience) || patience < 1) throw new RangeError(`earlyStopping: patience must be a positive integer, got ${patience}`);
  const minDelta = options.minDelta ?? 1e-4;
  let best = Infinity;
  let waited = 0;
  return {
    onEpochBegin: (epoch) => {
      if (epoch === 1) [best, waited] = [Infinity, 0];
    },
    onEpochEnd: (epoch: number, logs: EpochLogs) => {
      const monitored = logs.valLoss ?? logs.loss;
      if (monitored < best - minDelta) {
        [best, waited] = [monitored, 0];
        return true;
      }
      if (++waited < patience) return true;
      options.onStop?.(`early stop after epoch ${epoch}: the ${logs.valLoss === undefined ? 'training' : 'validation'} loss has not improved for ${patience} epoch(s) (best ${best.toFixed(4)})`);
      return false;
    },
  };
}

/** Several callbacks as one: every hook runs; training stops if any onEpochEnd returns false. */
export function combineCallbacks(...all: Callbacks[]): Callbacks {
  return {
    onEpochBegin: (e) => all.forEach((c) => c.onEpochBegin?.(e)),
    onProgress: (p) => all.forEach((c) => c.onProgress?.(p)),
    onEpochEnd: async (e, logs) => {
      let goOn = true;
      for (const c of all) if ((await c.onEpochEnd?.(e, logs)) === false) goOn = false;
      return goOn;
    },
  };
}

/**
 * Stops training after the first epoch whose held-out accuracy (validation if there is one, else none: it
 * must be given validation data) reaches `target`, a fraction such as 0.99. `onReached` hears the epoch and
 * the accuracy, so time-to-accuracy can be read off the same run.
 */
export function targetAccuracy(target: number, options: { onReached?: (epoch: number, accuracy: number) => void } = {}): Callbacks {
  if (!(typeof target === 'number' && target > 0 && target <= 1)) throw new RangeError(`targetAccuracy: target must be a fraction in (0, 1], got ${String(target)}`);
  return {
    onEpochEnd: (epoch: number, logs: EpochLogs) => {
      if (logs.valAccuracy === undefined) throw new Error('targetAccuracy: needs validation data (validationData or validationSplit) to watch');
      if (logs.valAccuracy < target) return true;
      options.onReached?.(epoch, logs.valAccuracy);
      return false;
    },
  };
}
