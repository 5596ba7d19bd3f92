// src/inspect.ts: the demo's views inside a network (per-unit maps, δ on hover) must be the engine's numbers.
import { describe, expect, it } from 'vitest';
import { dense, layerOutputs, patternDeltas, sequential, traceXor, XOR_INPUTS, XOR_TARGETS } from '../src/index.ts';
import type { XorTraceRow } from '../src/index.ts';
import { Random } from '../src/random.ts';

describe('inspect: layerOutputs and patternDeltas', () => {
  it("layerOutputs' last layer equals model.predict, and the hidden layer feeds it", async () => {
    const m = sequential([dense(2, 5, { activation: 'tanh' }), dense(5, 3, { activation: 'relu' }), dense(3, 1, { activation: 'sigmoid' })], { seed: 7 });
    m.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', backend: 'cpu' });
    await m.fit(XOR_INPUTS, XOR_TARGETS, { epochs: 3, batchSize: 2 });
    const x = { data: Float32Array.from([0.3, -0.2, 1, 1, -0.7, 0.5]), rows: 3, cols: 2 };
    const outs = layerOutputs(m.layers, await m.getWeights(), x);
    expect(outs.map((o) => [o.rows, o.cols])).toEqual([[3, 5], [3, 3], [3, 1]]);
    const predicted = await m.predict(x);
    for (let i = 0; i < 3; i++) expect(outs[2].data[i]).toBeCloseTo(predicted.data[i], 6);
    expect(new Set(outs[0].data).size).toBeGreaterThan(10); // real tanh values, not zeros
    await m.dispose();
  });

  it("patternDeltas equals the δ the trainer traces for the lecture's first XOR pattern", async () => {
    const rows: XorTraceRow[] = [];
    let start: { weightsHidden: number[][]; weightsOutput: number[][] } | null = null;
    await traceXor('cpu', 1, (r) => rows.push(r), { onStart: (w) => (start = w) });
    const m = sequential([dense(2, 2, { activation: 'sigmoid', bias: false }), dense(2, 1, { activation: 'sigmoid', bias: false })]);
    const w = start!;
    const params = [
      { W: Float32Array.from(w.weightsHidden.flat()), b: new Float32Array(0) },
      { W: Float32Array.from(w.weightsOutput.flat()), b: new Float32Array(0) },
    ];
    const d = patternDeltas(m.layers, params, 'halfSumSquared', XOR_INPUTS[0], XOR_TARGETS[0]);
    expect(d[1][0]).toBeCloseTo(rows[0].deltaOutput[0], 7);
    d[0].forEach((v, j) => expect(v).toBeCloseTo(rows[0].deltaHidden[j], 7));
    expect(Math.abs(d[1][0])).toBeGreaterThan(0.01);
    expect(() => patternDeltas(m.layers, params, 'halfSumSquared', [0, 0, 0], [0])).toThrow(/x has 3 columns, expected 2/);
  });

  it('traceXor with bias reports biases and starts from the seeded weights it names', async () => {
    const rows: XorTraceRow[] = [];
    type Start = Pick<XorTraceRow, 'weightsHidden' | 'weightsOutput' | 'biasHidden' | 'biasOutput'>;
    let start: Start | undefined;
    await traceXor('cpu', 1, (r) => rows.push(r), { bias: true, learningRate: 0.5, onStart: (w) => (start = w) });
    expect(rows).toHaveLength(4);
    expect(rows[0].biasHidden).toHaveLength(2);
    expect(rows[0].biasOutput).toHaveLength(1);
    expect(rows[3].biasOutput![0]).not.toBe(rows[0].biasOutput![0]);
    // the seeded weights, drawn here by hand: seed 1's sfc32 stream (known answers in random.test.ts), each
    // uint32 u giving U(−r, r) = −r + 2r·u/2³², Glorot r = √(6/(in+out)) (sigmoid layers), layer 0's 2×2
    // row-major first, then layer 1's 1×2; biases start at 0
    const rng = new Random(1);
    const draw = (r: number) => Math.fround(-r + 2 * r * (rng.nextUint32() / 4294967296));
    const wh = [draw(Math.sqrt(6 / 4)), draw(Math.sqrt(6 / 4)), draw(Math.sqrt(6 / 4)), draw(Math.sqrt(6 / 4))];
    const wo = [draw(Math.sqrt(6 / 3)), draw(Math.sqrt(6 / 3))];
    wh.forEach((w, k) => expect(start!.weightsHidden.flat()[k]).toBeCloseTo(w, 6));
    wo.forEach((w, k) => expect(start!.weightsOutput.flat()[k]).toBeCloseTo(w, 6));
    expect(start!.biasHidden).toEqual([0, 0]);
    expect(start!.biasOutput).toEqual([0]);
    // and the trace starts from them: pattern 1 is (0, 0), so its update moves the biases only, by α·δ
    expect(rows[0].weightsHidden.flat().map((w) => Math.fround(w))).toEqual(start!.weightsHidden.flat());
    rows[0].biasHidden!.forEach((b, j) => expect(b).toBeCloseTo(0.5 * rows[0].deltaHidden[j], 7));
    // another seed starts elsewhere
    let other: Start | undefined;
    await traceXor('cpu', 1, () => {}, { bias: true, seed: 2, onStart: (w) => (other = w) });
    expect(other!.weightsHidden.flat()).not.toEqual(start!.weightsHidden.flat());
  });
});
