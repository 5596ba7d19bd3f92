// Issue 10 (training half) on the CPU: non-finite detection with the last good weights kept, resume
// equality, stop on dispose/abort, one fit at a time (and no evaluate/predict/setWeights during it), saveModel
// refusing non-finite weights.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adam, dense, sequential, sgd, momentum } from '../src/index.ts';
import { ModelBusyError, NonFiniteError, TrainingStoppedError } from '../src/errors.ts';
import { encodeModel } from '../src/io/model-bytes.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint/state.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/format/safetensors.ts';
import type { Checkpoint } from '../src/checkpoint/state.ts';
import { blobs, divergingCases, weightsBefore } from './helpers/robustness.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const same = (a: Float32Array, b: Float32Array) => expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);

describe('non-finite values stop training (CPU)', () => {
  for (const c of divergingCases) {
    it(`${c.name}: NonFiniteError names epoch, step and layer; the model keeps the weights from before that step`, async () => {
      const { x, y } = c.data();
      const m = c.model();
      m.compile({ ...c.compile, backend: 'cpu' });
      const err = await m.fit(x, y, c.fit).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteError);
      const e = err as NonFiniteError;
      expect(e.message).toMatch(new RegExp(`epoch ${e.epoch}, step ${e.step}`));
      expect(e.message).toMatch(c.expectLayers ? /layer \d/ : /loss/);
      expect(e.layers.length > 0).toBe(c.expectLayers);
      expect(Number.isFinite(e.lossSum)).toBe(c.finiteLoss);
      const kept = await m.getWeights();
      for (const p of kept) for (const v of [...p.W, ...p.b]) expect(Number.isFinite(v)).toBe(true);
      // an identical model stopped right before that step has bit-identical weights
      const before = await weightsBefore(c, 'cpu', e.epoch, e.step);
      kept.forEach((p, l) => {
        same(p.W, before[l].W);
        same(p.b, before[l].b);
      });
    });
  }

  it("onNonFinite: 'warn' says so once and trains on", async () => {
    const c = divergingCases[0];
    const { x, y } = c.data();
    const notices: string[] = [];
    const m = c.model();
    m.compile({ ...c.compile, backend: 'cpu', onNotice: (s) => notices.push(s) });
    await m.fit(x, y, { ...c.fit, onNonFinite: 'warn' });
    expect(notices.filter((n) => /non-finite|loss became/.test(n))).toHaveLength(1);
    expect(notices[0]).toMatch(/onNonFinite: warn, training goes on/);
    await expect(m.fit(x, y, { onNonFinite: 'maybe' as 'warn' })).rejects.toThrow(/onNonFinite must be 'stop' or 'warn', got maybe/);
  });

  it('saveModel (encodeModel) refuses non-finite weights, naming the layer', async () => {
    const c = divergingCases[0];
    const { x, y } = c.data();
    const m = c.model();
    m.compile({ ...c.compile, backend: 'cpu', onNotice: () => {} });
    await m.fit(x, y, { ...c.fit, onNonFinite: 'warn' });
    await expect(encodeModel(m)).rejects.toThrow(/cannot save: layer \d+ (W|b)\[\d+\] is (NaN|-?Infinity)/);
  });
});

const model = () => sequential([dense(2, 6, { activation: 'tanh' }), dense(6, 3, { activation: 'softmax' })], { seed: 3 });

describe('checkpoints and resume (CPU)', () => {
  for (const [name, opt] of [['adam', adam(0.02)], ['momentum', momentum(0.05)], ['sgd', sgd(0.1)]] as const) {
    it(`${name}: a run resumed from an epoch checkpoint ends bit-identical to the uninterrupted one`, async () => {
      const { x, y } = blobs(90, 4);
      const full = model();
      full.compile({ loss: 'categoricalCrossentropy', optimizer: opt, backend: 'cpu' });
      const path = join(dir, `${name}.ckpt.safetensors`);
      const h = await full.fit(x, y, { epochs: 6, batchSize: 8, validationSplit: 0.2, checkpoint: { path, everyEpochs: 2, keep: 2 } });
      // keep 2: epochs 4 and 6 remain
      expect(readdirSync(dir).filter((f) => f.startsWith(`${name}.ckpt`)).sort()).toEqual([`${name}.ckpt.e0004.safetensors`, `${name}.ckpt.e0006.safetensors`]);
      const resumed = model();
      resumed.compile({ loss: 'categoricalCrossentropy', optimizer: opt, backend: 'cpu' });
      const h2 = await resumed.fit(x, y, { epochs: 6, batchSize: 8, validationSplit: 0.2, resumeFrom: join(dir, `${name}.ckpt.e0004.safetensors`) });
      expect(h2.loss).toEqual(h.loss);
      expect(h2.valLoss).toEqual(h.valLoss);
      expect(h2.epochs).toBe(6);
      const [a, b] = [await full.getWeights(), await resumed.getWeights()];
      a.forEach((p, l) => {
        same(b[l].W, p.W);
        same(b[l].b, p.b);
      });
      // and both keep going the same way (shuffle generator state restored too)
      const [n1, n2] = [await full.fit(x, y, { epochs: 1, batchSize: 8 }), await resumed.fit(x, y, { epochs: 1, batchSize: 8 })];
      expect(n2.loss).toEqual(n1.loss);
    });
  }

  it('an aborted fit writes a mid-epoch checkpoint; resuming it ends bit-identical', async () => {
    const { x, y } = blobs(120, 5);
    const opt = adam(0.02);
    const full = model();
    full.compile({ loss: 'categoricalCrossentropy', optimizer: opt, backend: 'cpu' });
    await full.fit(x, y, { epochs: 4, batchSize: 5 });
    const cut = model();
    cut.compile({ loss: 'categoricalCrossentropy', optimizer: opt, backend: 'cpu' });
    const stop = new AbortController();
    const path = join(dir, 'abort.safetensors');
    const err = await cut
      .fit(x, y, {
        epochs: 4,
        batchSize: 5,
        ticksPerEpoch: 6,
        signal: stop.signal,
        checkpoint: { path, everyEpochs: 10 },
        callbacks: { onProgress: (p) => { if (p.epoch === 2 && p.done >= 40) stop.abort(); } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingStoppedError);
    const e = err as TrainingStoppedError;
    expect(e.reason).toBe('aborted');
    expect([e.epoch, e.step]).toEqual([1, 8]);
    expect(e.message).toMatch(/interrupted: stopped in epoch 2 after step 8; checkpoint written to .*abort\.e0001\.s00008\.safetensors/);
    const resumed = model();
    resumed.compile({ loss: 'categoricalCrossentropy', optimizer: opt, backend: 'cpu' });
    await resumed.fit(x, y, { epochs: 4, batchSize: 5, resumeFrom: e.checkpoint!.path! });
    const [a, b] = [await full.getWeights(), await resumed.getWeights()];
    a.forEach((p, l) => same(b[l].W, p.W));
  });

  it('a checkpoint survives encode/decode exactly, and a mismatched resume is refused with the difference named', async () => {
    const { x, y } = blobs(40, 6);
    const m = model();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    const stop = new AbortController();
    let ck: Checkpoint | null = null;
    await m.fit(x, y, { epochs: 3, batchSize: 8, signal: stop.signal, checkpoint: { everyEpochs: 1 }, callbacks: { onEpochEnd: (ep) => { if (ep === 2) stop.abort(); } } }).catch((e: TrainingStoppedError) => {
      ck = e.checkpoint;
    });
    expect(ck).not.toBeNull();
    const back = decodeCheckpoint(encodeCheckpoint(ck!), 'mem');
    expect(back.epoch).toBe(2);
    expect(back.rng).toEqual(ck!.rng);
    expect(back.state.t).toBe(ck!.state.t);
    expect(back.history.loss).toEqual(ck!.history.loss);
    same(back.state.optimizer[0].vW, ck!.state.optimizer[0].vW);
    const other = model();
    other.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    await expect(other.fit(x, y, { epochs: 3, batchSize: 4, resumeFrom: back })).rejects.toThrow(/resumeFrom: the checkpoint's batchSize is 8, this fit's 4/);
    await expect(other.fit(x, y, { epochs: 2, batchSize: 8, resumeFrom: back })).rejects.toThrow(/has 2 of the 2 epochs asked for already done/);
    const sgdModel = model();
    sgdModel.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.01), backend: 'cpu' });
    await expect(sgdModel.fit(x, y, { epochs: 3, batchSize: 8, resumeFrom: back })).rejects.toThrow(/checkpoint's optimizer .*adam.* differs from the model's .*sgd/);
    await expect(other.fit(x, y, { epochs: 3, resumeFrom: join(dir, 'nope.safetensors') })).rejects.toThrow(/cannot read checkpoint .*nope\.safetensors/);
    await expect(other.fit(x, y, { epochs: 3, checkpoint: { everyEpochs: 0 } })).rejects.toThrow(/checkpoint.everyEpochs must be a positive integer, got 0/);
  });
});

describe('damaged or foreign checkpoint files', () => {
  it('fail in decodeCheckpoint with the field or tensor named', async () => {
    const { x, y } = blobs(30, 9);
    const m = model();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    let ck: Checkpoint | null = null;
    const stop = new AbortController();
    await m.fit(x, y, { epochs: 2, batchSize: 8, signal: stop.signal, checkpoint: {}, callbacks: { onEpochEnd: () => stop.abort() } }).catch((e: TrainingStoppedError) => (ck = e.checkpoint));
    const good = decodeSafetensors(encodeCheckpoint(ck!), 'ck');
    const meta = JSON.parse(good.metadata.checkpoint);
    const variant = (change: (meta: Record<string, any>, tensors: Record<string, unknown>) => void, format = good.metadata.format) => {
      const mm = structuredClone(meta);
      const tensors = { ...good.tensors };
      change(mm, tensors);
      return encodeSafetensors(tensors as typeof good.tensors, { format, checkpoint: JSON.stringify(mm) });
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['a saved model', await encodeModel(m), /not a deltagpu checkpoint \(metadata format is 'deltagpu-model\/1'/],
      ['epoch as text', variant((mm) => void (mm.epoch = '1')), /checkpoint metadata epoch \(expected an integer ≥ 0\) is "1"/],
      ['history not an array', variant((mm) => void (mm.history.loss = 5)), /history\.loss \(expected an array of numbers\) is 5/],
      ['history shorter than the epochs', variant((mm) => void (mm.epoch = 3)), /history\.loss \(expected 3 epochs of it\) is 1/],
      ['no layers', variant((mm) => void (mm.run.network.layers = [])), /run\.network\.layers \(expected a non-empty array\)/],
      ['a layer of -5 units', variant((mm) => void (mm.run.network.layers[0].units = -5)), /layer 0 units \(expected an integer ≥ 1\) is -5/],
      ["Adam's v missing", variant((_mm, t) => void delete t['optimizer.1.weight.v']), /tensor optimizer\.1\.weight\.v is missing/],
      ['metadata not JSON', encodeSafetensors(good.tensors, { format: good.metadata.format, checkpoint: '{epoch' }), /checkpoint metadata is not valid JSON/],
    ];
    for (const [what, bytes, message] of cases) expect(() => decodeCheckpoint(bytes, 'ck.safetensors'), what).toThrow(message);
  });
});

describe('one fit at a time; dispose during fit', () => {
  it('a second fit while one runs rejects with ModelBusyError; the first finishes normally', async () => {
    const { x, y } = blobs(60, 7);
    const m = model();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    const first = m.fit(x, y, { epochs: 3, batchSize: 4 });
    await expect(m.fit(x, y, { epochs: 1 })).rejects.toThrow(ModelBusyError);
    await expect(m.fit(x, y, { epochs: 1 })).rejects.toThrow(/already training \(a fit\(\) call has not finished\)/);
    const h = await first;
    expect(h.epochs).toBe(3);
    // and once it has finished, fit works again
    expect((await m.fit(x, y, { epochs: 1 })).epochs).toBe(1);
  });

  it('evaluate, predict and setWeights while fit runs reject with ModelBusyError naming the call; the fit is untouched', async () => {
    const { x, y } = blobs(60, 7);
    const m = model();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    const running = m.fit(x, y, { epochs: 3, batchSize: 4 });
    const start = [{ W: new Float32Array(12), b: new Float32Array(6) }, { W: new Float32Array(18), b: new Float32Array(3) }];
    const calls: [string, () => Promise<unknown>][] = [
      ['evaluate', () => m.evaluate(x, y)],
      ['predict', () => m.predict(x)],
      ['setWeights', () => m.setWeights(start)],
    ];
    for (const [name, call] of calls) {
      const err = await call().then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(ModelBusyError);
      expect((err as Error).message).toBe(`model.${name} called while fit() is running on this model; await fit first (or stop it with fit's signal)`);
    }
    // the same call from a callback (fit is still running) is refused too
    let fromCallback: unknown = null;
    const second = model();
    second.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    await second.fit(x, y, { epochs: 1, batchSize: 4, callbacks: { onEpochEnd: async () => void (fromCallback = await second.predict(x).catch((e: unknown) => e)) } });
    expect(fromCallback).toBeInstanceOf(ModelBusyError);
    await running;
    // nothing reached the running fit: its weights equal an undisturbed twin's, bit for bit
    const twin = model();
    twin.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    await twin.fit(x, y, { epochs: 3, batchSize: 4 });
    const [got, want] = [await m.getWeights(), await twin.getWeights()];
    got.forEach((p, l) => {
      same(p.W, want[l].W);
      same(p.b, want[l].b);
    });
    // and once fit has finished, every call works again
    expect((await m.evaluate(x, y)).accuracy).toBeGreaterThan(0);
    expect((await m.predict(x)).rows).toBe(60);
    await m.setWeights(start);
    expect(Array.from((await m.getWeights())[0].W)).toEqual(Array.from(start[0].W));
  });

  it('dispose() from a callback stops the fit at the next tick, says so, and keeps the weights of that moment', async () => {
    const { x, y } = blobs(60, 8);
    const m = model();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    const err = await m.fit(x, y, { epochs: 10, batchSize: 4, callbacks: { onEpochEnd: async (e) => { if (e === 2) await m.dispose(); } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingStoppedError);
    expect((err as Error).message).toMatch(/the model was disposed during fit: stopped after epoch 2/);
    const ref = model();
    ref.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    await ref.fit(x, y, { epochs: 2, batchSize: 4 });
    const [a, b] = [await m.getWeights(), await ref.getWeights()];
    a.forEach((p, l) => same(p.W, b[l].W));
    expect(m.backendName).toBeNull(); // freed
  });
});
