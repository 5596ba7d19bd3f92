/**
 * Checkpoints on disk (Node): each is written atomically (temp file + fsync + rename, src/format/atomic.ts)
 * under a name that says where the run was, and only the newest `keep` of a run are kept.
 *
 *   path 'runs/mnist.ckpt.safetensors'  →  runs/mnist.ckpt.e0003.safetensors        (after epoch 3)
 *                                           runs/mnist.ckpt.e0003.s00042.safetensors (42 steps into epoch 4)
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { writeFileAtomic } from '../format/atomic.ts';
import { checkWritable, makeFolder } from '../format/writable.ts';
import { decodeCheckpoint, encodeCheckpoint } from './state.ts';
import type { Checkpoint } from './state.ts';

/** The file name of a checkpoint of `base` at this position. */
export function checkpointName(base: string, epoch: number, step: number): string {
  const ext = extname(base) || '.safetensors';
  const stem = extname(base) ? base.slice(0, -ext.length) : base;
  return `${stem}.e${String(epoch).padStart(4, '0')}${step ? `.s${String(step).padStart(5, '0')}` : ''}${ext}`;
}

/** Writes checkpoints of one run, deleting all but the newest `keep` it wrote. */
export class CheckpointFiles {
  private readonly written: string[] = [];

  constructor(
    readonly base: string,
    readonly keep: number,
  ) {
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`checkpoint.keep must be an integer ≥ 1, got ${keep}`);
    // before the first epoch, not when the first checkpoint is due: the longest name this run can write
    checkWritable(checkpointName(base, 9999, 99999), 'checkpoint.path');
  }

  write(ck: Checkpoint): string {
    const path = checkpointName(this.base, ck.epoch, ck.step);
    makeFolder(dirname(path) || '.', `checkpoint ${path}`);
    writeFileAtomic(path, encodeCheckpoint(ck));
    if (!this.written.includes(path)) this.written.push(path);
    while (this.written.length > this.keep) {
      const old = this.written.shift()!;
      try {
        unlinkSync(old);
      } catch {
        /* already gone: nothing to keep tidy */
      }
    }
    return path;
  }
}

/** Reads a checkpoint file; a clear error for a missing, non-regular or foreign file. */
export function readCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  return decodeCheckpoint(bytes, path);
}
