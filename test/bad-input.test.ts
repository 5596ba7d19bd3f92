// Bad input fails with a message that names the problem, and leaves the weights exactly as they were.
import { describe, expect, it } from 'vitest';
import { dense, sequential, sgd } from '../src/index.ts';

async function model() {
  const m = sequential([dense(2, 3, { activation: 'tanh' }), dense(3, 1, { activation: 'sigmoid' })], { seed: 3 });
  m.compile({ loss: 'halfSumSquared', optimizer: sgd(0.5), backend: 'cpu' });
  await m.fit([[0, 1]], [[1]], { epochs: 1 }); // a session exists, so a partial update would show
  return m;
}
const X = [
  [0, 1],
  [1, 0],
];
const Y = [[1], [0]];

const cases: [string, (m: Awaited<ReturnType<typeof model>>) => Promise<unknown>, RegExp][] = [
  ['x with the wrong width', (m) => m.fit([[1, 2, 3]], [[1]]), /x has 3 columns but the first layer expects 2 inputs/],
  ['y with the wrong width', (m) => m.fit(X, [[1, 0], [0, 1]]), /y has 2 columns but the last layer has 1 outputs/],
  ['x and y with different row counts', (m) => m.fit(X, [[1]]), /x has 2 rows but y has 1/],
  ['ragged rows', (m) => m.fit([[0, 1], [1]], Y), /row 1 has 1 values, expected 2/],
  ['NaN in x', (m) => m.fit([[0, NaN], [1, 0]], Y), /x has NaN at row 0, column 1/],
  ['Infinity in y', (m) => m.fit(X, [[1], [Infinity]]), /y has Infinity at row 1, column 0/],
  ['an empty data set', (m) => m.fit([], []), /empty/],
  ['batch size 0', (m) => m.fit(X, Y, { batchSize: 0 }), /batchSize .* must be a positive integer, got 0/],
  ['a negative batch size', (m) => m.fit(X, Y, { batchSize: -4 }), /batchSize .* got -4/],
  ['zero epochs', (m) => m.fit(X, Y, { epochs: 0 }), /epochs must be a positive integer/],
  ['validationSplit of 1', (m) => m.fit(X, Y, { validationSplit: 1 }), /validationSplit must be between 0 and 1/],
  ['NaN in predict input', (m) => m.predict([[NaN, 0]]), /x has NaN/],
  ['evaluate with wrong widths', (m) => m.evaluate([[1, 2, 3]], [[1]]), /3 columns/],
  ['setWeights with a wrong shape', (m) => m.setWeights([{ W: new Float32Array(5), b: new Float32Array(3) }, { W: new Float32Array(3), b: new Float32Array(1) }]), /layer 0 W has 5 values, expected 3×2 = 6/],
  ['setWeights with NaN', (m) => m.setWeights([{ W: new Float32Array(6).fill(NaN), b: new Float32Array(3) }, { W: new Float32Array(3), b: new Float32Array(1) }]), /non-finite/],
];

describe('bad input', () => {
  for (const [name, call, message] of cases) {
    it(`${name}: a clear error and no change to the weights`, async () => {
      const m = await model();
      const before = await m.getWeights();
      await expect(call(m)).rejects.toThrow(message);
      const after = await m.getWeights();
      after.forEach((p, l) => {
        expect(Array.from(p.W)).toEqual(Array.from(before[l].W));
        expect(Array.from(p.b)).toEqual(Array.from(before[l].b));
      });
    });
  }

  it('an unknown activation, loss or initializer is named', () => {
    expect(() => dense(2, 2, { activation: 'swish' as never })).toThrow(/unknown activation 'swish'/);
    const m = sequential([dense(2, 1)]);
    expect(() => m.compile({ loss: 'hinge' as never })).toThrow(/unknown loss 'hinge'/);
    expect(() => sequential([dense(2, 1, { initializer: 'orthogonal' as never })])).toThrow(/unknown initializer 'orthogonal'/);
  });

  it('layers that do not connect, softmax inside the network, non-integer sizes', () => {
    expect(() => sequential([dense(2, 3), dense(4, 1)])).toThrow(/layer 1 expects 4 inputs but layer 0 has 3 units/);
    expect(() => sequential([dense(2, 3, { activation: 'softmax' }), dense(3, 1)])).toThrow(/softmax is for the output layer only/);
    expect(() => dense(2.5, 1)).toThrow(/inputs must be a positive integer/);
  });

  it('fit before compile says so', async () => {
    const m = sequential([dense(2, 1)]);
    await expect(m.fit(X, Y)).rejects.toThrow(/not compiled/);
  });

  it('a diverging run stops with an error that names the epoch and suggests a smaller learning rate', async () => {
    const m = sequential([dense(1, 1, { activation: 'linear' })]);
    m.compile({ loss: 'halfSumSquared', optimizer: sgd(50), backend: 'cpu' });
    await expect(m.fit([[10], [20]], [[1], [2]], { epochs: 200, batchSize: 1 })).rejects.toThrow(/diverged.*epoch \d+.*smaller learning rate/);
  });
});
