// Early stopping and combined callbacks, on the hook sequence fit produces and inside a real fit.
import { describe, expect, it } from 'vitest';
import { combineCallbacks, earlyStopping } from '../src/callbacks.ts';
import { dense, sequential, sgd } from '../src/index.ts';
import type { EpochLogs } from '../src/trainer.ts';

const logs = (valLoss: number): EpochLogs => ({ loss: 1, accuracy: 0, valLoss, samplesPerSecond: 1, seconds: 1 });

async function run(cb: ReturnType<typeof earlyStopping>, valLosses: number[]): Promise<number> {
  cb.onEpochBegin?.(1);
  for (let e = 1; e <= valLosses.length; e++) {
    if ((await cb.onEpochEnd?.(e, logs(valLosses[e - 1]))) === false) return e;
  }
  return valLosses.length;
}

describe('earlyStopping', () => {
  it('stops after `patience` epochs without improvement, and says why', async () => {
    const said: string[] = [];
    const stoppedAt = await run(earlyStopping(2, { onStop: (m) => said.push(m) }), [0.9, 0.5, 0.6, 0.55, 0.4]);
    expect(stoppedAt).toBe(4);
    expect(said[0]).toMatch(/early stop after epoch 4: the validation loss has not improved for 2 epoch\(s\) \(best 0\.5000\)/);
  });

  it('an improvement resets the count; improvements smaller than minDelta do not', async () => {
    expect(await run(earlyStopping(2), [0.9, 0.95, 0.8, 0.85, 0.7, 0.75])).toBe(6);
    expect(await run(earlyStopping(2, { minDelta: 0.1 }), [0.9, 0.85, 0.82])).toBe(3);
  });

  it('rejects a patience that is not a positive integer', () => {
    expect(() => earlyStopping(0)).toThrow(/patience must be a positive integer/);
  });

  it('inside fit: a run whose loss only grows is stopped after `patience` epochs', async () => {
    const m = sequential([dense(1, 1, { activation: 'linear' })], { seed: 2 });
    // η = 2 with x = 1 and a bias overshoots further at every step: the loss grows and never improves
    m.compile({ loss: 'halfSumSquared', optimizer: sgd(2), backend: 'cpu' });
    await m.setWeights([{ W: Float32Array.of(0), b: Float32Array.of(0) }]);
    const h = await m.fit([[1]], [[1]], { epochs: 50, batchSize: 1, callbacks: combineCallbacks(earlyStopping(3), {}) });
    expect(h.stopReason).toBe('callback');
    // the error triples and flips sign each step (y' = y + 2η(1 − y), so e' = −3e): losses ½·9ᵏ. Epoch 1
    // sets the best; epochs 2, 3, 4 do not improve on it; patience 3 stops after exactly epoch 4
    expect(h.epochs).toBe(4);
    expect(h.loss).toHaveLength(4);
    [0.5, 4.5, 40.5, 364.5].forEach((l, k) => expect(h.loss[k]).toBeCloseTo(l, 4));
  });
});
