/**
 * The --layers grammar (src/models/layer-grammar.ts): every item form parses to the layer it names; bad items
 * are refused by name with the grammar shown; shapes follow the conv/pool formulas (checked here against
 * hand-computed sizes, e.g. Keras's summary of its MNIST convnet: 26, 13, 11, 5 → 1600, 34,826 parameters);
 * an image that shrinks to nothing, a conv after the dense layers and sizes past the limits name their item.
 */
import { describe, expect, it } from 'vitest';
import { LAYER_GRAMMAR, NAMED_MODELS, describePlan, parseLayerItems, planLayers } from '../src/models/layer-grammar.ts';

const MNIST = { image: [1, 28, 28] as const, classes: 10, batchSize: 128, maxParameters: 2 ** 28 };

describe('parseLayerItems', () => {
  it('reads every item form', () => {
    expect(parseLayerItems('128, 64')).toEqual([
      { kind: 'dense', units: 128, item: '128' },
      { kind: 'dense', units: 64, item: '64' },
    ]);
    expect(parseLayerItems('conv32k3,conv64k3s2same,conv16k5x3valid,CONV8K1S3')).toEqual([
      { kind: 'conv2d', filters: 32, kernel: [3, 3], stride: [1, 1], padding: 'valid', item: 'conv32k3' },
      { kind: 'conv2d', filters: 64, kernel: [3, 3], stride: [2, 2], padding: 'same', item: 'conv64k3s2same' },
      { kind: 'conv2d', filters: 16, kernel: [5, 3], stride: [1, 1], padding: 'valid', item: 'conv16k5x3valid' },
      { kind: 'conv2d', filters: 8, kernel: [1, 1], stride: [3, 3], padding: 'valid', item: 'CONV8K1S3' },
    ]);
    expect(parseLayerItems('maxpool2,avgpool3s2,dropout0.25,dropout.5,flatten')).toEqual([
      { kind: 'maxPool2d', size: [2, 2], stride: [2, 2], item: 'maxpool2' },
      { kind: 'avgPool2d', size: [3, 3], stride: [2, 2], item: 'avgpool3s2' },
      { kind: 'dropout', rate: 0.25, item: 'dropout0.25' },
      { kind: 'dropout', rate: 0.5, item: 'dropout.5' },
      { kind: 'flatten', item: 'flatten' },
    ]);
  });

  it('keeps reading exponents as dense sizes (1e9 is then refused by its size, not its spelling)', () => {
    expect(parseLayerItems('1e3')).toEqual([{ kind: 'dense', units: 1000, item: '1e3' }]);
  });

  const bad: [string, RegExp][] = [
    ['conv32', /item 'conv32' \(item 1\) is not a layer/],
    ['128,relu', /item 'relu' \(item 2\) is not a layer/],
    ['conv0k3', /item 'conv0k3': the number of filters must be a whole number ≥ 1, got 0/],
    ['conv8k0', /item 'conv8k0': the kernel size must be .* got 0/],
    ['conv8k3s0', /item 'conv8k3s0': the stride must be .* got 0/],
    ['maxpool0', /item 'maxpool0': the window size/],
    ['dropout1', /item 'dropout1': the dropout rate must be between 0 and 1 \(exclusive\), got 1/],
    ['dropout0', /item 'dropout0': the dropout rate/],
    ['128,,64', /item 2 is empty/],
    ['', /empty list/],
    ['0', /item '0': a dense layer needs a whole number of units ≥ 1/],
    ['12.5', /item '12.5': a dense layer needs a whole number/],
    ['conv32k3 same', /item 'conv32k3 same' \(item 1\) is not a layer/],
  ];
  for (const [text, message] of bad) {
    it(`refuses '${text}' by name and shows the grammar`, () => {
      expect(() => parseLayerItems(text)).toThrow(message);
      expect(() => parseLayerItems(text)).toThrow(LAYER_GRAMMAR);
      expect(() => parseLayerItems(text)).toThrow(/^--layers: /);
    });
  }
});

describe('planLayers', () => {
  it("gives Keras's MNIST convnet its shapes and 34,826 parameters", () => {
    const plan = planLayers(parseLayerItems(NAMED_MODELS.cnn), MNIST);
    // keras.io/examples/vision/mnist_convnet summary: (26,26,32) (13,13,32) (11,11,64) (5,5,64) 1600 1600 10
    expect(plan.map((l) => l.outShape)).toEqual([[32, 26, 26], [32, 13, 13], [64, 11, 11], [64, 5, 5], [1600], [1600], [10]]);
    expect(plan.map((l) => l.params)).toEqual([320, 0, 18496, 0, 0, 0, 16010]);
    expect(plan.at(-1)).toMatchObject({ kind: 'dense', units: 10 });
  });

  it('inserts flatten before the first dense item after a conv or pool, and only there', () => {
    const plan = planLayers(parseLayerItems('conv4k5s2same,avgpool2,64,dropout0.5,32'), MNIST);
    expect(plan.map((l) => l.kind)).toEqual(['conv2d', 'avgPool2d', 'flatten', 'dense', 'dropout', 'dense', 'dense']);
    expect(plan[2].auto).toBe(true);
    // same, stride 2: ⌈28/2⌉ = 14; pool 2: 7; 4·7·7 = 196 inputs to the 64 units
    expect(plan.map((l) => l.outShape)).toEqual([[4, 14, 14], [4, 7, 7], [196], [64], [64], [32], [10]]);
    expect(plan[3].params).toBe(196 * 64 + 64);
    expect(describePlan(plan, MNIST.image)).toBe('input 1×28×28 → conv4k5s2same 4×14×14 → avgpool2 4×7×7 → flatten 196 → 64 64 → dropout0.5 64 → 32 32 → output 10');
  });

  it('keeps a dense-only list an MLP on rows (no flatten)', () => {
    const plan = planLayers(parseLayerItems('256,dropout0.2,128'), MNIST);
    expect(plan.map((l) => l.kind)).toEqual(['dense', 'dropout', 'dense', 'dense']);
    expect(plan[0].inShape).toEqual([784]);
  });

  it('strided valid convolution and pooling windows that do not tile: floor((h − k)/s) + 1', () => {
    const plan = planLayers(parseLayerItems('conv3k5x3s2,maxpool3s2'), { ...MNIST, image: [2, 11, 9] });
    // (11 − 5)/2 + 1 = 4, (9 − 3)/2 + 1 = 4; pool: (4 − 3)/2 + 1 = 1
    expect(plan.map((l) => l.outShape)).toEqual([[3, 4, 4], [3, 1, 1], [3], [10]]);
    expect(plan[0].params).toBe(3 * 2 * 5 * 3 + 3);
  });

  it('names the item where the image shrinks to nothing, with the shapes before it', () => {
    expect(() => planLayers(parseLayerItems('conv8k3,maxpool2,conv8k3,maxpool2,conv8k3,maxpool2,conv8k3'), MNIST))
      .toThrow(/item 'conv8k3' \(item 7\) has a 3×3 window but its input is 8×1×1 .*shrinks to nothing \(input 1×28×28 → conv8k3 8×26×26 → maxpool2 8×13×13 → conv8k3 8×11×11 → maxpool2 8×5×5 → conv8k3 8×3×3 → maxpool2 8×1×1\)/);
    expect(() => planLayers(parseLayerItems('maxpool29'), MNIST)).toThrow(/item 'maxpool29' \(item 1\) has a 29×29 window but its input is 1×28×28/);
    // 'same' never shrinks below 1
    expect(planLayers(parseLayerItems('conv1k29same'), MNIST)[0].outShape).toEqual([1, 28, 28]);
  });

  it('refuses a conv or pool after the images became rows', () => {
    expect(() => planLayers(parseLayerItems('conv8k3,64,conv8k3'), MNIST)).toThrow(/item 'conv8k3' \(item 3\) needs an image, but the layers before it made rows of 64 values/);
    expect(() => planLayers(parseLayerItems('flatten,maxpool2'), MNIST)).toThrow(/item 'maxpool2' \(item 2\) needs an image/);
  });

  it('refuses too many parameters, naming the heaviest item, and activations a batch cannot hold', () => {
    const limit = { ...MNIST, maxParameters: 100_000 };
    expect(() => planLayers(parseLayerItems('conv32k3,128'), limit)).toThrow(/the network has 2770634 parameters, more than the 100000 allowed .* the most are in '128' \(2769024\)/);
    // 320 + 21632·128 + 128 + 128·10 + 10 = 2,770,634; 32 filters × 26 × 26 = 21,632 values per image × 8 = 173,056 > 100,000
    expect(() => planLayers(parseLayerItems('conv32k3,maxpool2'), { ...limit, batchSize: 8 })).toThrow(/'conv32k3' gives 32×26×26 .* 173056 values for a batch of 8/);
    expect(() => planLayers(parseLayerItems('conv32k3,maxpool2,maxpool2,maxpool2'), { ...limit, batchSize: 4 })).not.toThrow();
  });
});

describe('the plan built into a model (src/cli/layer-model.ts)', async () => {
  const { buildModel, planArchitecture } = await import('../src/cli/layer-model.ts');
  const { parameterCount } = await import('../src/layers/summary.ts');

  it("--model cnn is Keras's convnet: the model's own shape inference agrees with the plan, 34,826 parameters", () => {
    const arch = planArchitecture(undefined, 'cnn', [28, 28], 10, 128);
    const model = buildModel(arch, 'relu', 1);
    expect(model.inputShape).toEqual([1, 28, 28]);
    expect(model.layerSpecs.map((l) => l.kind ?? 'dense')).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'flatten', 'dropout', 'dense']);
    expect(model.layerSpecs.map((l) => l.units)).toEqual([21632, 5408, 7744, 1600, 1600, 1600, 10]);
    expect(model.layerSpecs.reduce((n, l) => n + parameterCount(l), 0)).toBe(34826);
    expect(model.layerSpecs.at(-1)!.activation).toBe('softmax');
    expect(model.layerSpecs[0].activation).toBe('relu');
  });

  it('strides, same padding, average pooling and the automatic flatten reach the model', () => {
    const model = buildModel(planArchitecture('conv4k3s2same,avgpool2s1,dropout0.1,32', 'mlp', [28, 28], 10, 32), 'tanh', 1);
    const conv = model.layerSpecs[0] as import('../src/backend.ts').Conv2dSpec;
    expect([conv.stride, conv.padTop, conv.padLeft, conv.outShape]).toEqual([[2, 2], 0, 0, [4, 14, 14]]);
    expect(model.layerSpecs.map((l) => l.kind ?? 'dense')).toEqual(['conv2d', 'avgPool2d', 'dropout', 'flatten', 'dense', 'dense']);
    expect(model.layerSpecs.map((l) => l.units)).toEqual([784, 4 * 13 * 13, 676, 676, 32, 10]);
  });

  it('a dense list stays the historical MLP on flat rows; with dropout it is declared on rows too', () => {
    expect(buildModel(planArchitecture('256,128', 'mlp', [28, 28], 10, 32), 'relu', 1).layerSpecs.map((l) => [l.inputs, l.units])).toEqual([[784, 256], [256, 128], [128, 10]]);
    const withDropout = buildModel(planArchitecture('64,dropout0.5', 'mlp', [28, 28], 10, 32), 'relu', 1);
    expect(withDropout.inputShape).toBeNull();
    expect(withDropout.layerSpecs.map((l) => l.kind ?? 'dense')).toEqual(['dense', 'dropout', 'dense']);
  });
});
