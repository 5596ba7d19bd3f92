/**
 * Layer lists read from files (saved models' and checkpoints' metadata) are untrusted input: every kind's
 * fields and shapes are checked, with an error naming the layer and the field, before anything is allocated.
 * And checkpoints of conv networks keep PyTorch's tensor layouts, with each tensor's shape checked by name.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec, NetworkSpec } from '../src/backend.ts';
import { checkLayerSpecs } from '../src/layer-spec-check.ts';
import { checkResumable, decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint/state.ts';
import type { Checkpoint } from '../src/checkpoint/state.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/format/safetensors.ts';

const lin = { activation: 'linear' as const, bias: false as const, alpha: 0.2 };
/** [1, 6, 5] → conv 2×(3×2) stride [2, 1] 'same' [2, 3, 5] → maxpool [2, 1, 2] → flatten 4 → dropout → dense 3 */
const cnn = (): LayerSpec[] => [
  { kind: 'conv2d', inShape: [1, 6, 5], outShape: [2, 3, 5], filters: 2, kernel: [3, 2], stride: [2, 1], padTop: 0, padLeft: 0, inputs: 30, units: 30, activation: 'relu', bias: true, alpha: 0.2 },
  { kind: 'maxPool2d', inShape: [2, 3, 5], outShape: [2, 1, 2], size: [2, 2], stride: [2, 2], inputs: 30, units: 4, ...lin },
  { kind: 'flatten', inShape: [2, 1, 2], inputs: 4, units: 4, ...lin },
  { kind: 'dropout', rate: 0.25, seed: 3, inputs: 4, units: 4, ...lin },
  { inputs: 4, units: 3, activation: 'softmax', bias: true, alpha: 0.2 },
];

const check = (layers: unknown, input: [number, number, number] | null = [1, 6, 5]) =>
  checkLayerSpecs(JSON.parse(JSON.stringify(layers)), input, (msg) => {
    throw new Error(msg);
  });

describe('checkLayerSpecs: every kind from JSON', () => {
  it('takes a consistent CNN as it was written', () => {
    // 'same' on 6 rows at stride 2 with a 3-row kernel: out 3, total padding (3−1)·2 + 3 − 6 = 1 → top 0, bottom 1
    expect(check(cnn())).toEqual(cnn());
  });

  const hostile: [string, (l: any[]) => void, RegExp][] = [
    ['a kernel larger than the input', (l) => Object.assign(l[0], { kernel: [9, 2] }), /layer 0 \(conv2d\) cannot map height 6 to 3 with kernel 9, stride 2 and padding 0: the 9-wide kernel is larger than the 6-wide input, the map shrinks to nothing/],
    ['a huge kernel', (l) => Object.assign(l[0], { kernel: [2 ** 40, 2] }), /layer 0 \(conv2d\) cannot map height 6 to 3 with kernel 1099511627776, stride 2 and padding 0: the 1099511627776-wide kernel is larger than the 6-wide input/],
    ['a zero stride', (l) => Object.assign(l[0], { stride: [0, 1] }), /layer 0 stride must be \[height, width\] of positive integers, got \[0,1\]/],
    ['a negative filter count', (l) => Object.assign(l[0], { filters: -2 }), /layer 0 filters must be a positive integer/],
    ['a fractional size', (l) => Object.assign(l[1], { size: [1.5, 2] }), /layer 1 size must be \[height, width\] of positive integers/],
    ['an outShape the conv does not give', (l) => Object.assign(l[0], { outShape: [2, 4, 5], units: 40 }), /layer 0 \(conv2d\) cannot map height 6 to 4/],
    ['padding at least the kernel', (l) => Object.assign(l[0], { padTop: 3 }), /layer 0 \(conv2d\) cannot map height 6 to 3 with kernel 3, stride 2 and padding 3/],
    ['a pool window larger than its input', (l) => Object.assign(l[1], { size: [4, 2], outShape: [2, 0, 2] }), /layer 1 outShape must be \[channels, height, width\] of positive integers/],
    ['a pool that shrinks to nothing', (l) => Object.assign(l[1], { size: [4, 2] }), /layer 1 \(maxPool2d\) cannot map \[2,3,5\] to \[2,1,2\] with size \[4,2\] and stride \[2,2\]: the window is larger than the input/],
    ['units that disagree with the outShape', (l) => Object.assign(l[1], { units: 5 }), /layer 1 \(maxPool2d\) has 5 units but outShape \[2,1,2\] holds 4/],
    ['a layer whose input is not the last output', (l) => Object.assign(l[4], { inputs: 5 }), /layer 4 \(dense\) has 5 inputs but receives 4 values per pattern/],
    ['a dense layer fed an image', (l) => l.splice(2, 2), /layer 2 \(dense\) receives an image \[2,1,2\]; a flatten layer must come first/],
    ['an unknown kind', (l) => Object.assign(l[2], { kind: 'lstm' }), /layer 2 has kind "lstm"/],
    ['a dropout rate of 1', (l) => Object.assign(l[3], { rate: 1 }), /layer 3 \(dropout\) rate must be a number in \[0, 1\), got 1/],
    ['a pool with an activation', (l) => Object.assign(l[1], { activation: 'relu' }), /layer 1 \(maxPool2d\) must have activation 'linear' and no bias/],
    ['an unknown activation', (l) => Object.assign(l[4], { activation: 'swish' }), /layer 4 activation must be one of/],
    ['more units than the limit', (l) => Object.assign(l[4], { units: 2 ** 40 }), /layer 4 units must be a positive integer ≤ 268435456/],
    ['an image beyond the limit', (l) => Object.assign(l[0], { inShape: [1, 2 ** 20, 2 ** 20] }), /layer 0 inShape \[1,1048576,1048576\] holds 1099511627776 values per pattern, above the limit/],
  ];
  for (const [what, change, message] of hostile) {
    it(`refuses ${what}`, () => {
      const layers = cnn() as any[];
      change(layers);
      expect(() => check(layers)).toThrow(message);
    });
  }

  it('refuses an empty or absurdly long list', () => {
    expect(() => check([])).toThrow(/must be a non-empty array of layers/);
    expect(() => check(Array.from({ length: 10_001 }, () => ({ inputs: 1, units: 1, activation: 'linear', bias: false, alpha: 0 })), null)).toThrow(/declares 10001 layers, above the limit of 10000/);
  });
});

describe('checkpoints of a CNN', () => {
  const network = (): NetworkSpec => ({ layers: cnn(), loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, momentum: 0.9, l2: 0 } as NetworkSpec['optimizer'] });
  const filled = (n: number, v: number) => Float32Array.from({ length: n }, (_, i) => v + i / 64);
  const none = () => new Float32Array(0);
  const checkpoint = (): Checkpoint => ({
    epoch: 1, step: 2, rng: [1, 2, 3, 4], partial: { lossSum: 1.5, correct: 3, count: 8 },
    history: { loss: [0.5], accuracy: [0.75], valLoss: [], valAccuracy: [], samplesPerSecond: [100] },
    run: { network: network(), seed: 3, batchSize: 8, shuffle: true, rows: 40 },
    extra: {},
    state: {
      t: 10,
      params: [{ W: filled(12, 0.1), b: filled(2, 0.2) }, { W: none(), b: none() }, { W: none(), b: none() }, { W: none(), b: none() }, { W: filled(12, 0.3), b: filled(3, 0.4) }],
      optimizer: [
        { mW: filled(12, 1), vW: filled(12, 2), mb: filled(2, 3), vb: filled(2, 4) },
        ...[1, 2, 3].map(() => ({ mW: none(), vW: none(), mb: none(), vb: none() })),
        { mW: filled(12, 5), vW: filled(12, 6), mb: filled(3, 7), vb: filled(3, 8) },
      ],
    },
  });

  it("saves conv tensors in PyTorch's layout [F, C, kh, kw] and reads every value back", () => {
    const bytes = encodeCheckpoint(checkpoint());
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors['layers.0.weight'].shape).toEqual([2, 1, 3, 2]);
    expect(tensors['optimizer.0.weight.v'].shape).toEqual([2, 1, 3, 2]);
    expect(tensors['layers.4.weight'].shape).toEqual([3, 4]);
    expect(Object.keys(tensors).filter((n) => /^(layers|optimizer)\.[123]\./.test(n))).toEqual([]);
    const back = decodeCheckpoint(bytes, 'ck');
    expect(back.run.network.layers).toEqual(cnn());
    expect(back.state).toEqual(checkpoint().state);
  });

  it('names a conv tensor whose shape disagrees with its layer, and hostile layer metadata', () => {
    const good = decodeSafetensors(encodeCheckpoint(checkpoint()));
    const swapped = { ...good.tensors, 'layers.0.weight': { ...good.tensors['layers.0.weight'], shape: [2, 1, 2, 3] } };
    expect(() => decodeCheckpoint(encodeSafetensors(swapped, good.metadata), 'ck')).toThrow(/ck: tensor layers\.0\.weight has shape \[2,1,2,3\], expected \[2,1,3,2\] from its layer/);
    const meta = JSON.parse(good.metadata.checkpoint);
    meta.run.network.layers[0].stride = [0, 1];
    expect(() => decodeCheckpoint(encodeSafetensors(good.tensors, { ...good.metadata, checkpoint: JSON.stringify(meta) }), 'ck')).toThrow(/ck: checkpoint metadata run\.network\.layers layer 0 stride must be \[height, width\] of positive integers/);
  });

  it('a resume compares whole layers: a different kernel with the same sizes is refused', () => {
    const other = network();
    other.layers[0] = { ...(other.layers[0] as any), kernel: [3, 3], padLeft: 1 };
    expect(() => checkResumable(checkpoint(), { ...checkpoint().run, network: other })).toThrow(/layer 0 is .*"kernel":\[3,2\].* in the checkpoint, .*"kernel":\[3,3\].* in the model/);
  });
});
