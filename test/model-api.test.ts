// The Keras-shaped API: seeds, history, callbacks, validation, stopping.
import { describe, expect, it } from 'vitest';
import { adam, dense, sequential, sgd } from '../src/index.ts';
import { blobs } from './helpers/robustness.ts';

const net = (seed = 5) => sequential([dense(2, 8, { activation: 'relu' }), dense(8, 3, { activation: 'softmax' })], { seed });

describe('model API', () => {
  it('a seed fixes the initial weights and the whole run; another seed changes them', async () => {
    const { x, y } = blobs(60, 1);
    const run = async (seed: number) => {
      const m = net(seed);
      m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8 });
      return { h, w: await m.getWeights() };
    };
    const [a, b, c] = [await run(9), await run(9), await run(10)];
    expect(a.h.loss).toEqual(b.h.loss);
    expect(Array.from(a.w[0].W)).toEqual(Array.from(b.w[0].W));
    expect(Array.from(a.w[0].W)).not.toEqual(Array.from(c.w[0].W));
  });

  it('learns a 3-class problem: history per epoch, validation split, evaluate and predict agree', async () => {
    const { x, y } = blobs(300, 2);
    const m = net();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.2), metrics: ['accuracy'], backend: 'cpu' });
    const h = await m.fit(x, y, { epochs: 30, batchSize: 16, validationSplit: 0.2 });
    expect(h.loss).toHaveLength(30);
    expect(h.accuracy).toHaveLength(30);
    expect(h.valLoss).toHaveLength(30);
    expect(h.loss[29]).toBeLessThan(h.loss[0]);
    expect(h.valAccuracy[29]).toBeGreaterThan(0.9);
    // the held-out rows are the last 20% (as in Keras): evaluating them reproduces the last valLoss
    const ev = await m.evaluate(x.slice(240), y.slice(240));
    expect(ev.loss).toBeCloseTo(h.valLoss[29], 5);
    const p = await m.predict(x.slice(240));
    expect(p.rows).toBe(60);
    for (let r = 0; r < p.rows; r++) expect(p.data.subarray(r * 3, r * 3 + 3).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('stopAtLoss ends training at the error tolerance; a callback can stop it too', async () => {
    const { x, y } = blobs(90, 3);
    const m = net();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.05), backend: 'cpu' });
    const h = await m.fit(x, y, { epochs: 500, batchSize: 'full', stopAtLoss: 0.3 });
    expect(h.stopReason).toBe('stopAtLoss');
    expect(h.epochs).toBeLessThan(500);
    expect(h.loss.at(-1)!).toBeLessThanOrEqual(0.3);
    expect(h.loss.at(-2)!).toBeGreaterThan(0.3);
    const seen: number[] = [];
    const h2 = await m.fit(x, y, { epochs: 50, callbacks: { onEpochEnd: (e) => (seen.push(e), e < 4) } });
    expect(h2.epochs).toBe(4);
    expect(h2.stopReason).toBe('callback');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('onProgress reports ticks within each epoch, ending at the full count', async () => {
    const { x, y } = blobs(100, 4);
    const m = net();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    const ticks: number[] = [];
    await m.fit(x, y, { epochs: 1, batchSize: 10, ticksPerEpoch: 5, callbacks: { onProgress: (p) => ticks.push(p.done) } });
    expect(ticks).toEqual([20, 40, 60, 80, 100]);
  });

  it('shuffle: false presents patterns in order; shuffle: true changes the result', async () => {
    const { x, y } = blobs(30, 5);
    const run = async (shuffle: boolean) => {
      const m = net();
      m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
      await m.fit(x, y, { epochs: 1, batchSize: 1, shuffle });
      return Array.from((await m.getWeights())[0].W);
    };
    expect(await run(false)).toEqual(await run(false));
    expect(await run(true)).not.toEqual(await run(false));
  });

  it('summary lists layers and parameter counts', () => {
    expect(net().summary()).toMatch(/total 51 parameters/);
  });

  it('compile after fit keeps the trained weights (as Keras does) and training continues from them', async () => {
    const { x, y } = blobs(60, 6);
    const m = net();
    const initial = Array.from((await m.getWeights())[0].W);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    const trained = Array.from((await m.getWeights())[0].W);
    expect(trained).not.toEqual(initial);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.01), backend: 'cpu' });
    expect(Array.from((await m.getWeights())[0].W)).toEqual(trained);
    const before = await m.evaluate(x, y);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 8 });
    // the first epoch after re-compiling starts where training left off, not at the initial weights' loss
    expect(h.loss[0]).toBeLessThan(before.loss * 1.5);
    await m.dispose();
    expect(Array.from((await m.getWeights())[0].W)).not.toEqual(trained);
  });
});
