// The CPU session keeps training and inference apart: lastStep() reports the last *training* step.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import type { NetworkSpec } from '../src/backend.ts';

describe('CPU session', () => {
  it('evaluate and predict after a step leave lastStep() unchanged', async () => {
    const spec: NetworkSpec = {
      layers: [
        { inputs: 2, units: 3, activation: 'tanh', bias: true, alpha: 0.2 },
        { inputs: 3, units: 1, activation: 'sigmoid', bias: true, alpha: 0.2 },
      ],
      loss: 'halfSumSquared',
      optimizer: resolveOptimizer('sgd'),
    };
    const params = [
      { W: Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6), b: Float32Array.of(0.1, 0, -0.1) },
      { W: Float32Array.of(0.7, -0.8, 0.9), b: Float32Array.of(0.05) },
    ];
    const session = await createCpuBackend().compile(spec, params);
    const train = await session.upload({ data: Float32Array.of(1, 0), rows: 1, cols: 2 }, { data: Float32Array.of(1), rows: 1, cols: 1 });
    await session.trainSteps(train, Uint32Array.of(0), 0, 1, 1);
    const before = await session.lastStep();
    const other = await session.upload({ data: Float32Array.of(-3, 5, 2, 2), rows: 2, cols: 2 }, { data: Float32Array.of(0, 1), rows: 2, cols: 1 });
    await session.evaluate(other);
    await session.predict(other);
    const after = await session.lastStep();
    expect(after.y.map((a) => Array.from(a))).toEqual(before.y.map((a) => Array.from(a)));
    expect(after.delta.map((a) => Array.from(a))).toEqual(before.delta.map((a) => Array.from(a)));
    expect(after.y[0]).toHaveLength(3);
  });
});
