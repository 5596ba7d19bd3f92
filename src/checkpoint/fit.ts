/**
 * model.fit's side of checkpoints: checks the `checkpoint` and `resumeFrom` options, and makes the
 * `take` hook the trainer calls (session state → Checkpoint, written to disk when a path was given).
 * The file system is imported only when a path is used, so the browser build never needs it.
 */
import type { TrainingSession } from '../backend.ts';
import { checkResumable } from './state.ts';
import type { Checkpoint, CheckpointRun, TrainPosition } from './state.ts';

export interface CheckpointOptions {
  /** base file name (Node); omit to keep checkpoints in memory only (DeviceLostError still carries the last) */
  path?: string;
  /** take one every N epochs (default 1) */
  everyEpochs?: number;
  /** files to keep, newest first (default 1) */
  keep?: number;
  /** kept in the checkpoint's metadata as JSON (the CLI stores its options here) */
  extra?: Record<string, unknown>;
}

const positiveInt = (v: unknown, what: string): number => {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${what} must be a positive integer, got ${String(v)}`);
  return v as number;
};

export interface Checkpointing {
  everyEpochs: number | null;
  take: (pos: TrainPosition) => Promise<Checkpoint>;
}

/** The trainer's checkpoint hook for these options (null when there are none). Checks them first. */
export async function checkpointing(options: CheckpointOptions | undefined, run: CheckpointRun, session: () => TrainingSession): Promise<Checkpointing | null> {
  if (options === undefined) return null;
  if (typeof options !== 'object' || options === null) throw new TypeError(`checkpoint must be an object {path, everyEpochs, keep}, got ${String(options)}`);
  const everyEpochs = positiveInt(options.everyEpochs ?? 1, 'checkpoint.everyEpochs');
  const keep = positiveInt(options.keep ?? 1, 'checkpoint.keep');
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) throw new TypeError(`checkpoint.path must be a file name, got ${JSON.stringify(options.path)}`);
  const files = options.path ? new (await import('./file.ts')).CheckpointFiles(options.path, keep) : null;
  return {
    everyEpochs,
    async take(pos) {
      const ck: Checkpoint = { ...pos, state: await session().getState(), run, extra: options.extra ?? {} };
      if (files) ck.path = files.write(ck);
      return ck;
    },
  };
}

/** The checkpoint to resume from (read from disk if a path), checked against this model and fit. */
export async function resumePoint(from: Checkpoint | string | undefined, run: CheckpointRun, epochs: number): Promise<Checkpoint | null> {
  if (from === undefined) return null;
  const ck = typeof from === 'string' ? (await import('./file.ts')).readCheckpoint(from) : from;
  if (typeof ck !== 'object' || ck === null || !ck.state || !ck.run) throw new TypeError(`resumeFrom must be a checkpoint or its file name, got ${String(from)}`);
  checkResumable(ck, run);
  if (ck.epoch >= epochs) throw new RangeError(`resumeFrom: the checkpoint has ${ck.epoch} of the ${epochs} epochs asked for already done; pass a larger epochs`);
  return ck;
}
