// Issue 10 (input half), the API: each bad argument fails by name, with the expected and the actual value,
// before any weight is drawn or changed.
import { describe, expect, it } from 'vitest';
import { MAX_PARAMETERS, createCpuBackend, dense, sequential, sgd } from '../src/index.ts';
import type { Sequential } from '../src/index.ts';
import { BufferLimitError, createWebGpuBackend, requestGpu } from '../src/backends/webgpu/index.ts';
import { gpuOrSkip } from './helpers/gpu.ts';

const X = [[0, 1], [1, 0]];

async function compiled(loss: 'halfSumSquared' | 'binaryCrossentropy' | 'categoricalCrossentropy', outputs = 1): Promise<Sequential> {
  const out = loss === 'categoricalCrossentropy' ? 'softmax' : 'sigmoid';
  const m = sequential([dense(2, 3, { activation: 'tanh' }), dense(3, outputs, { activation: out })], { seed: 3 });
  m.compile({ loss, optimizer: sgd(0.5), backend: 'cpu' });
  await m.predict([[0, 0]]); // a session exists, so a partial update would show
  return m;
}

async function expectUnchanged(m: Sequential, call: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = await m.getWeights();
  await expect(call()).rejects.toThrow(message);
  const after = await m.getWeights();
  after.forEach((p, l) => {
    expect(Array.from(p.W)).toEqual(Array.from(before[l].W));
    expect(Array.from(p.b)).toEqual(Array.from(before[l].b));
  });
}

describe('values that are not numbers are refused, not read as 0 or 1', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /x: row 1, column 0 is null \(null\), expected a number/],
    ["''", '', /x: row 1, column 0 is "" \(string\), expected a number/],
    ['true', true, /x: row 1, column 0 is true \(boolean\), expected a number/],
    ["'0.5'", '0.5', /x: row 1, column 0 is "0.5" \(string\), expected a number/],
    ['undefined', undefined, /x: row 1, column 0 is undefined \(undefined\), expected a number/],
  ];
  for (const [name, v, message] of cases) {
    it(`${name} in x`, async () => {
      const m = await compiled('halfSumSquared');
      await expectUnchanged(m, () => m.fit([[0, 1], [v as number, 0]], [[1], [0]]), message);
    });
  }
  it('in y and in predict input too', async () => {
    const m = await compiled('halfSumSquared');
    await expectUnchanged(m, () => m.fit(X, [[1], [false as unknown as number]]), /y: row 1, column 0 is false \(boolean\), expected a number/);
    await expect(m.predict([[null as unknown as number, 1]])).rejects.toThrow(/x: row 0, column 0 is null/);
  });
  it('x itself null or a number', async () => {
    const m = await compiled('halfSumSquared');
    await expect(m.fit(null as never, [[1]])).rejects.toThrow(/x must be an array of rows or a \{data: Float32Array, rows, cols\} matrix, got null/);
    await expect(m.predict(5 as never)).rejects.toThrow(/x must be an array of rows .* got number/);
  });
});

describe('cross-entropy targets must be probabilities', () => {
  it('binary cross-entropy with a target of 2', async () => {
    const m = await compiled('binaryCrossentropy');
    await expectUnchanged(m, () => m.fit(X, [[1], [2]]), /y has 2 at row 1, column 0: binaryCrossentropy needs targets in \[0, 1\]/);
  });
  it('binary cross-entropy with a target of −1 in evaluate', async () => {
    const m = await compiled('binaryCrossentropy');
    await expect(m.evaluate(X, [[-1], [0]])).rejects.toThrow(/y has -1 at row 0, column 0: binaryCrossentropy needs targets in \[0, 1\]/);
  });
  it('categorical cross-entropy with a target of 5 (a label where a one-hot row belongs)', async () => {
    const m = await compiled('categoricalCrossentropy', 2);
    await expectUnchanged(m, () => m.fit(X, [[0, 5], [1, 0]]), /y has 5 at row 0, column 1: categoricalCrossentropy needs targets in \[0, 1\]/);
  });
  it('categorical cross-entropy in validationData', async () => {
    const m = await compiled('categoricalCrossentropy', 2);
    await expectUnchanged(m, () => m.fit(X, [[0, 1], [1, 0]], { validationData: [X, [[0, 1], [-0.5, 1]]] }), /validation y has -0.5 at row 1, column 0/);
  });
  it('squared-error losses still take any finite target (regression)', async () => {
    const m = await compiled('halfSumSquared');
    const h = await m.fit(X, [[3], [-2]], { epochs: 1 });
    expect(h.epochs).toBe(1);
  });
});

describe('layer options', () => {
  it('an initializer range of NaN, 0 or a string', () => {
    expect(() => dense(2, 2, { initializer: { type: 'uniform', range: NaN } })).toThrow(/initializer range must be a finite number > 0, got NaN/);
    expect(() => dense(2, 2, { initializer: { type: 'uniform', range: 0 } })).toThrow(/initializer range must be a finite number > 0, got 0/);
    expect(() => dense(2, 2, { initializer: { type: 'uniform', range: '1' as never } })).toThrow(/got "1"/);
  });
  it('a leaky ReLU slope of NaN or Infinity', () => {
    expect(() => dense(2, 2, { activation: 'leakyRelu', alpha: NaN })).toThrow(/dense: alpha \(the leaky ReLU slope\) must be a finite number, got NaN/);
    expect(() => dense(2, 2, { activation: 'leakyRelu', alpha: Infinity })).toThrow(/alpha .* got Infinity/);
  });
  it('bias that is not a boolean, options that are not an object, a size given as a string', () => {
    expect(() => dense(2, 2, { bias: 'no' as never })).toThrow(/dense: bias must be true or false, got "no"/);
    expect(() => dense(2, 2, null as never)).toThrow(/dense: options must be an object .* got null/);
    expect(() => dense('2' as never, 2)).toThrow(/dense: inputs must be a positive integer, got 2/);
  });
});

describe('sequential and compile arguments', () => {
  it('sequential(null), sequential({}), and a layer that is not one', () => {
    expect(() => sequential(null as never)).toThrow(/sequential: expected an array of layers such as \[dense\(2, 3\), dense\(3, 1\)\], got null/);
    expect(() => sequential({} as never)).toThrow(/sequential: expected an array of layers .* got an object/);
    expect(() => sequential([dense(2, 3), null as never])).toThrow(/sequential: layer 1 is null, expected a layer made by dense\(inputs, units\)/);
    expect(() => sequential([{ inputs: 2, units: 1 } as never])).toThrow(/layer 0 is an object \(inputs, units\), expected a layer made by dense/);
    expect(() => sequential([{ ...dense(2, 3), units: NaN }])).toThrow(/sequential: layer 0 units must be a positive integer, got NaN/);
  });
  it('a seed that is not a non-negative integer', () => {
    expect(() => sequential([dense(2, 1)], { seed: NaN })).toThrow(/sequential: seed must be a non-negative integer, got NaN/);
    expect(() => sequential([dense(2, 1)], { seed: '7' as never })).toThrow(/seed must be a non-negative integer, got "7"/);
  });
  it('a non-backend object, a wrong string, or null as backend', () => {
    const m = sequential([dense(2, 1)]);
    expect(() => m.compile({ loss: 'meanSquared', backend: { name: 'cpu' } as never })).toThrow(
      /compile: backend must be 'auto', 'webgpu', 'cpu' or a Backend .* got an object without compile\(\) and dispose\(\) \(keys: name\)/,
    );
    expect(() => m.compile({ loss: 'meanSquared', backend: 'gpu' as never })).toThrow(/compile: backend must be .* got 'gpu'/);
    expect(() => m.compile({ loss: 'meanSquared', backend: null as never })).toThrow(/compile: backend must be .* got null/);
    expect(() => m.compile(null as never)).toThrow(/compile: options must be an object .* got null/);
    expect(m.training).toBeNull(); // nothing was half-compiled
  });
  it('a real backend object is still accepted', async () => {
    const m = sequential([dense(2, 1)]);
    const backend = await createCpuBackend();
    m.compile({ loss: 'meanSquared', backend });
    expect((await m.predict([[1, 2]])).rows).toBe(1);
    await m.dispose();
    backend.dispose();
  });
});

describe('declared sizes are checked before any weight is drawn', () => {
  it('a layer of 1e9 units is refused by our own message, not "Invalid typed array length"', () => {
    expect(() => sequential([dense(784, 1e9), dense(1e9, 10)])).toThrow(
      new RegExp(`sequential: the model declares 795000000010 parameters .* above the limit of ${MAX_PARAMETERS} \\(1 GiB\\); the largest is layer 0, 784 → 1000000000 units`),
    );
  });
  it('just over the cap fails, just under is only declared (weights are drawn at first use)', () => {
    expect(() => sequential([dense(MAX_PARAMETERS, 1, { bias: false }), dense(1, 1)])).toThrow(/declares 268435458 parameters/);
    const m = sequential([dense(2 ** 14, 2 ** 14 - 1, { bias: false })]); // 268 M parameters, 1 GiB: not allocated here
    expect(m.summary()).toMatch(/268419072 params/);
  });
});

describe.skipIf(process.env.DELTAGPU_SKIP_GPU)('WebGPU: the device limits refuse a model before the host initialises it', () => {
  it('a layer over maxStorageBufferBindingSize fails at the first call, with no host weights drawn', async () => {
    if (!(await gpuOrSkip())) return;
    const small = await requestGpu({ limits: { maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20 } });
    const backend = await createWebGpuBackend({ context: small! });
    // 8192 → 4100: 33.6 M parameters, under the host cap, but W is 134,348,800 bytes > 128 MiB
    const m = sequential([dense(8192, 4100, { activation: 'relu' }), dense(4100, 10, { activation: 'softmax' })]);
    m.compile({ loss: 'categoricalCrossentropy', backend });
    const err = await m.predict({ data: new Float32Array(8192), rows: 1, cols: 8192 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferLimitError);
    expect((err as Error).message).toMatch(/'layer 0 weights W \(4100×8192\)' needs 134348800 bytes .* maxStorageBufferBindingSize of 134217728 bytes/);
    // the 134 MB of initial weights were never drawn on the host
    expect((m as unknown as { hostParams: unknown }).hostParams).toBeNull();
    backend.dispose();
    small!.device.destroy();
  });
});

describe('fit options and setWeights arguments of the wrong type', () => {
  it("validationSplit '0.2', shuffle 'yes', a callback that is not a function, options null", async () => {
    const m = await compiled('halfSumSquared');
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], { validationSplit: '0.2' as never }), /fit: validationSplit must be a number, got "0.2"/);
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], { shuffle: 'yes' as never }), /fit: shuffle must be true or false, got "yes"/);
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], { callbacks: { onEpochEnd: 3 as never } }), /fit: callbacks\.onEpochEnd must be a function, got 3/);
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], null as never), /fit: options must be an object .* got null/);
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], { validationData: [X] as never }), /fit: validationData must be \[x, y\], got an array of 1/);
    await expectUnchanged(m, () => m.fit(X, [[1], [0]], { validationData: [0, 1] as never }), /validation x must be an array of rows or a \{data: Float32Array, rows, cols\} matrix, got number/);
  });
  it('rows that are not arrays: a flat list, or a typed array where nested arrays belong', async () => {
    const m = await compiled('halfSumSquared');
    await expectUnchanged(m, () => m.fit([0, 1] as never, [[1], [0]]), /x: row 0 is 0 \(number\), expected an array of numbers/);
    await expectUnchanged(m, () => m.fit([[0, 1], new Float32Array(2)] as never, [[1], [0]]), /x: row 1 is a Float32Array, expected an array of numbers/);
  });
  it('setWeights(null) and a layer given as null', async () => {
    const m = await compiled('halfSumSquared');
    await expectUnchanged(m, () => m.setWeights(null as never), /setWeights: expected an array of 2 \{W, b\} objects, got null/);
    await expectUnchanged(m, () => m.setWeights([null, null] as never), /setWeights: layer 0 must be \{W, b\} .* got null/);
  });
});

describe('a batch or a prediction too large for one host array', () => {
  // a Matrix whose data is a shared zero-filled buffer view: rows × 1 input costs 4 bytes a row, so the test
  // stays small while the declared batch through 100,000 units would need 2^28+ values per activation array
  const rows = 3000;
  const x = { data: new Float32Array(rows), rows, cols: 1 };
  it('fit with batchSize × units above the cap names the batch and what to change', async () => {
    const m = sequential([dense(1, 100_000, { activation: 'relu' }), dense(100_000, 1)]);
    m.compile({ loss: 'meanSquared', backend: 'cpu' });
    await expect(m.fit(x, { data: new Float32Array(rows), rows, cols: 1 }, { batchSize: 'full' })).rejects.toThrow(
      /fit: 3000 rows through layer 0's 100000 units need 300000000 values in one array \(1\.1 GiB of float32\), above the limit of 268435456 \(1 GiB\); use a smaller batchSize/,
    );
    expect((m as unknown as { hostParams: unknown }).hostParams).toBeNull(); // refused before any weight was drawn
  });
  it('predict with rows × outputs above the cap', async () => {
    const m = sequential([dense(1, 100_000)]);
    m.compile({ loss: 'meanSquared', backend: 'cpu' });
    await expect(m.predict(x)).rejects.toThrow(/predict: 3000 rows through layer 0's 100000 units need 300000000 values .* predict in slices of fewer rows/);
  });
});
