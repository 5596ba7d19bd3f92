/**
 * The CLI's fit: checkpoints, Ctrl-C and device loss around model.fit.
 *
 *   --checkpoint-every N [--keep K]  writes a checkpoint every N epochs (the newest K are kept)
 *   Ctrl-C (SIGINT)                  stops at the next tick, writes a checkpoint, says how to resume
 *   device lost                      resumes from the last checkpoint on a new device, or on the CPU with
 *                                    --fallback cpu (once; a second loss ends the run)
 *
 * Without --checkpoint-every the checkpoints are taken every epoch in memory only, so Ctrl-C and device
 * loss still have one; the file is written only when it is needed.
 */
import type { Sequential, CompileOptions, FitOptions } from '../model.ts';
import type { History } from '../trainer.ts';
import type { InputsLike, TargetsLike } from '../inputs.ts';
import { DeviceLostError, TrainingStoppedError } from '../errors.ts';
import { CheckpointFiles } from '../checkpoint/file.ts';
import type { Checkpoint } from '../checkpoint/state.ts';

export interface ResilientOptions {
  /** checkpoint base file name (the numbered files sit beside it) */
  base: string;
  /** write every N epochs; null: keep them in memory only */
  every: number | null;
  keep: number;
  /** what to run on after a device loss: 'retry' a new device of the same choice, or 'cpu' */
  fallback: 'retry' | 'cpu';
  compile: CompileOptions;
  /** kept in every checkpoint (the CLI's options, so --resume can rebuild the run) */
  extra: Record<string, unknown>;
  /** how to resume, for the message: the command line with --resume FILE appended */
  resumeHint: (file: string) => string;
  log: (s: string) => void;
}

/** What ended the run early, for the exit code: 130 after Ctrl-C, as shells expect. */
export class Interrupted extends Error {
  constructor(readonly file: string) {
    super(`interrupted; checkpoint written to ${file}`);
    this.name = 'Interrupted';
  }
}

export async function resilientFit(model: Sequential, x: InputsLike, y: TargetsLike, fit: FitOptions, o: ResilientOptions): Promise<History> {
  const files = new CheckpointFiles(o.base, o.keep);
  const stop = new AbortController();
  const onSigint = () => {
    o.log('\ninterrupt: stopping after the current tick and writing a checkpoint (Ctrl-C again to quit at once)');
    stop.abort();
  };
  process.once('SIGINT', onSigint);
  const save = (ck: Checkpoint) => ck.path ?? files.write(ck);
  let resumeFrom = fit.resumeFrom;
  let lost = 0;
  try {
    for (;;) {
      try {
        return await model.fit(x, y, {
          ...fit,
          resumeFrom,
          signal: stop.signal,
          checkpoint: { everyEpochs: o.every ?? 1, keep: o.keep, extra: o.extra, ...(o.every ? { path: o.base } : {}) },
        });
      } catch (err) {
        if (err instanceof TrainingStoppedError && err.reason === 'aborted' && err.checkpoint) {
          const file = save(err.checkpoint);
          o.log(`interrupted ${err.step ? `in epoch ${err.epoch + 1} after step ${err.step}` : `after epoch ${err.epoch}`}; checkpoint written to ${file}`);
          o.log(`resume with: ${o.resumeHint(file)}`);
          throw new Interrupted(file);
        }
        if (!(err instanceof DeviceLostError) || lost > 0) throw err;
        lost++;
        const backend = o.fallback === 'cpu' ? 'cpu' : o.compile.backend;
        const from = err.checkpoint ? `the checkpoint after epoch ${err.checkpoint.epoch}${err.checkpoint.step ? ` step ${err.checkpoint.step}` : ''}` : 'the start (no checkpoint yet)';
        o.log(`${err.message.split(';')[0]}; resuming from ${from} on ${backend === 'cpu' ? 'the CPU' : 'a new device'}`);
        if (err.checkpoint) {
          const file = save(err.checkpoint);
          o.log(`checkpoint kept in ${file}`);
        }
        model.compile({ ...o.compile, backend });
        resumeFrom = err.checkpoint ?? undefined;
      }
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
