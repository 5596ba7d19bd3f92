/**
 * 8-bit data sets end to end on the host (issue 11): IDX images stay the file's bytes (no float32 copy),
 * Dataset.x is widened only when read and then equals b/255, subsets keep the bytes, and Sequential.fit /
 * evaluate / predict on bytes + class indices give exactly what float32 rows + one-hot targets give,
 * validation split included.
 */
import { describe, expect, it } from 'vitest';
import { encodeIdx, idxToDataset, parseIdx } from '../src/data/idx.ts';
import { inputs, subset, targets } from '../src/data/dataset.ts';
import { syntheticDigits } from '../src/data/synthetic.ts';
import { dense, sequential } from '../src/index.ts';

function idxSet(n: number) {
  const { x, y } = syntheticDigits(n);
  const images = parseIdx(encodeIdx([n, 28, 28], x.bytes));
  const labels = parseIdx(encodeIdx([n], Uint8Array.from(y.indices)));
  return { ds: idxToDataset(images, labels), images };
}

function model() {
  const m = sequential([dense(784, 12, { activation: 'relu' }), dense(12, 10, { activation: 'softmax' })], { seed: 3 });
  m.compile({ loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 }, backend: 'cpu' });
  return m;
}

describe('8-bit data sets', () => {
  it('IDX images stay bytes: pixels is a view of the file, x is widened on first read to b/255', () => {
    const { ds, images } = idxSet(50);
    expect(ds.pixels).not.toBeNull();
    expect(ds.pixels!.bytes.buffer).toBe(images.data.buffer);
    expect(ds.rows).toBe(50);
    const x = ds.x;
    expect(x.rows * x.cols).toBe(50 * 784);
    for (let k = 0; k < x.data.length; k += 97) expect(x.data[k]).toBe(Math.fround(ds.pixels!.bytes[k] / 255));
    expect(ds.x).toBe(x); // kept once made
    const s = subset(ds, [49, 0]);
    expect(Array.from(s.pixels!.bytes.subarray(0, 784))).toEqual(Array.from(ds.pixels!.bytes.subarray(49 * 784, 50 * 784)));
    expect(Array.from(s.labels)).toEqual([ds.labels[49], ds.labels[0]]);
  });

  it('the synthetic set repeats the digits shifted: image 10,000 + i is image i moved by one pixel', () => {
    const { x, y } = syntheticDigits(10001);
    expect(y.indices[10000]).toBe(y.indices[0]);
    const a = x.bytes.subarray(0, 784);
    const b = x.bytes.subarray(10000 * 784, 10001 * 784);
    for (let r = 0; r < 28; r++) for (let c = 1; c < 28; c++) expect(b[r * 28 + c]).toBe(a[r * 28 + c - 1]);
  });

  it('fit/evaluate/predict on bytes + class indices equal float32 + one-hot exactly (with a validation split)', async () => {
    const { ds } = idxSet(400);
    const opts = { epochs: 2, batchSize: 25, validationSplit: 0.25 };
    const a = model();
    const b = model();
    const ha = await a.fit(ds.x, ds.y, opts);
    const hb = await b.fit(inputs(ds), targets(ds), opts);
    expect(hb.loss).toEqual(ha.loss);
    expect(hb.valAccuracy).toEqual(ha.valAccuracy);
    expect(ha.accuracy[1]).toBeGreaterThan(0.2);
    expect(await b.evaluate(inputs(ds), targets(ds))).toEqual(await a.evaluate(ds.x, ds.y));
    expect(Array.from((await b.predict(inputs(ds))).data)).toEqual(Array.from((await a.predict(ds.x)).data));
  });

  it('bad bytes or class indices fail before training, naming the argument', async () => {
    const { ds } = idxSet(20);
    const m = model();
    await expect(m.fit({ bytes: ds.pixels!.bytes, rows: 20, cols: 783 }, targets(ds))).rejects.toThrow(/x: bytes has 15680 values but rows×cols = 20×783/);
    await expect(m.fit(inputs(ds), { indices: ds.labels, classes: 9 })).rejects.toThrow(/y has 9 classes but the last layer has 10 outputs/);
    const bad = Uint8Array.from(ds.labels);
    bad[3] = 10;
    await expect(m.fit(inputs(ds), { indices: bad, classes: 10 })).rejects.toThrow(/class index 10 at row 3 is out of range/);
    await expect(m.fit(inputs(ds), { indices: ds.labels.subarray(1), classes: 10 })).rejects.toThrow(/x has 20 rows but y has 19 class indices/);
  });
});
