/**
 * The typed errors training can end with, so a caller can tell "the numbers blew up" from "you stopped
 * it" from "the GPU went away" and act on each (the CLI resumes from the checkpoint they carry).
 */
import type { Checkpoint } from './checkpoint/state.ts';

/** A loss or a layer's updated weights became NaN or ±Infinity. The model keeps the weights from before that step. */
export class NonFiniteError extends Error {
  constructor(
    /** 1-based epoch */
    readonly epoch: number,
    /** 1-based step (batch) within the epoch */
    readonly step: number,
    /** layers (0-based) whose W or b held a non-finite value after the step; empty if only the loss did */
    readonly layers: number[],
    /** the loss summed over the step(s), as read back */
    readonly lossSum: number,
  ) {
    const what = layers.length > 0 ? `the updated weights of layer ${layers.join(', ')} became non-finite (NaN or ±Infinity)` : `the loss became ${lossSum}`;
    super(
      `training diverged in epoch ${epoch}, step ${step}: ${what}; the model keeps the weights from before that step. ` +
        `Try a smaller learning rate (or a larger Adam epsilon), or pass onNonFinite: 'warn' to keep going`,
    );
    this.name = 'NonFiniteError';
  }
}

/** fit() ended early because the model was disposed or the caller's AbortSignal fired (Ctrl-C in the CLI). */
export class TrainingStoppedError extends Error {
  constructor(
    readonly reason: 'disposed' | 'aborted',
    /** epochs completed */
    readonly epoch: number,
    /** steps done in the epoch after those (0 at an epoch's end) */
    readonly step: number,
    /** the checkpoint written (or taken in memory) when it stopped, if checkpointing was on */
    readonly checkpoint: Checkpoint | null,
  ) {
    const why = reason === 'disposed' ? 'the model was disposed during fit' : 'training was interrupted';
    const where = checkpoint?.path ? `; checkpoint written to ${checkpoint.path}` : '';
    const at = step === 0 ? `after epoch ${epoch}` : `in epoch ${epoch + 1} after step ${step}`;
    super(`${why}: stopped ${at}${reason === 'disposed' ? ' (the model keeps the weights it had then)' : ''}${where}`);
    this.name = 'TrainingStoppedError';
  }
}

/** The GPU device was lost (driver reset, unplugged, destroyed). Resume from `checkpoint` on a new device or the CPU. */
export class DeviceLostError extends Error {
  constructor(
    readonly detail: string,
    readonly epoch: number,
    readonly checkpoint: Checkpoint | null,
  ) {
    const ck = checkpoint
      ? `; the last checkpoint (after epoch ${checkpoint.epoch}${checkpoint.step ? ` step ${checkpoint.step}` : ''}${checkpoint.path ? `, ${checkpoint.path}` : ''}) is kept: resume with fit({resumeFrom: err.checkpoint})`
      : '; there is no checkpoint (pass checkpoint: {everyEpochs: 1} to fit to keep one)';
    super(`webgpu: the device was lost during epoch ${epoch} (${detail})${ck}`);
    this.name = 'DeviceLostError';
  }
}

/**
 * A second fit(), or an evaluate/predict/setWeights, on a model while a fit() is running: those would read
 * or replace the parameters the running steps are updating (and share its session's buffers).
 */
export class ModelBusyError extends Error {
  constructor(what: string) {
    super(
      what === 'fit'
        ? `${what}: this model is already training (a fit() call has not finished); await it before starting another`
        : `model.${what} called while fit() is running on this model; await fit first (or stop it with fit's signal)`,
    );
    this.name = 'ModelBusyError';
  }
}
