// The Keras "Simple MNIST convnet" as the backend contract's layer list (src/backend.ts), written out by hand
// so CPU-path tests and benches need no model-level API: 28×28×1 → conv32 3×3 ReLU → maxpool 2 → conv64 3×3
// ReLU → maxpool 2 → flatten → dropout 0.5 → dense 10 softmax.
import type { LayerSpec, NetworkSpec } from '../../src/backend.ts';
import { resolveOptimizer } from '../../src/optimizers.ts';

export function convnetLayers(seed = 1): LayerSpec[] {
  const base = { bias: true, alpha: 0.2 } as const;
  return [
    { kind: 'conv2d', inShape: [1, 28, 28], outShape: [32, 26, 26], filters: 32, kernel: [3, 3], stride: [1, 1], padTop: 0, padLeft: 0, inputs: 784, units: 32 * 26 * 26, activation: 'relu', ...base },
    { kind: 'maxPool2d', inShape: [32, 26, 26], outShape: [32, 13, 13], size: [2, 2], stride: [2, 2], inputs: 32 * 26 * 26, units: 32 * 13 * 13, activation: 'linear', bias: false, alpha: 0.2 },
    { kind: 'conv2d', inShape: [32, 13, 13], outShape: [64, 11, 11], filters: 64, kernel: [3, 3], stride: [1, 1], padTop: 0, padLeft: 0, inputs: 32 * 13 * 13, units: 64 * 11 * 11, activation: 'relu', ...base },
    { kind: 'maxPool2d', inShape: [64, 11, 11], outShape: [64, 5, 5], size: [2, 2], stride: [2, 2], inputs: 64 * 11 * 11, units: 1600, activation: 'linear', bias: false, alpha: 0.2 },
    { kind: 'flatten', inShape: [64, 5, 5], inputs: 1600, units: 1600, activation: 'linear', bias: false, alpha: 0.2 },
    { kind: 'dropout', rate: 0.5, seed, inputs: 1600, units: 1600, activation: 'linear', bias: false, alpha: 0.2 },
    { kind: 'dense', inputs: 1600, units: 10, activation: 'softmax', ...base },
  ];
}

export function convnetSpec(seed = 1): NetworkSpec {
  return { layers: convnetLayers(seed), loss: 'categoricalCrossentropy', optimizer: resolveOptimizer({ type: 'adam', learningRate: 0.001 }) };
}
