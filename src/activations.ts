/**
 * Activation functions f and their derivatives f', as the lectures write them.
 *
 * The derivative is expressed through both v (the net input, "z") and y = f(v) because some are cheapest
 * in one (sigmoid: f' = y(1−y)) and some in the other (ReLU: f' = [v > 0]). The WGSL epilogues in
 * shaders/activation.wgsl implement the same formulas; the numeric ids are shared with them.
 */
import type { Floats } from './tensor.ts';

export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softplus', 'softmax', 'step', 'sign', 'piecewiseLinear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Ids used by the WGSL kernels (override constant ACTIVATION). Keep in sync with shaders/activation.wgsl. */
export const ACTIVATION_ID: Record<ActivationName, number> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leakyRelu: 4,
  softplus: 5,
  softmax: 6,
  step: 7,
  sign: 8,
  piecewiseLinear: 9,
};

/**
 * The simple perceptron's threshold activations (the lectures' table): unit step (Heaviside, ½ at 0),
 * sign (−1, 0, 1) and piecewise linear (0 ≤ −½ < v + ½ < ½ ≤ 1). Their derivative is 0 almost everywhere
 * (piecewise linear: 1 on the open ramp), so plain backpropagation through them moves nothing; they are
 * trained by the perceptron rule (loss 'perceptron': δ = d − y with no f'), see src/models/perceptron.ts.
 */
export const THRESHOLD_ACTIVATIONS = ['step', 'sign', 'piecewiseLinear'] as const;

/** The closed range [lo, hi] of each bounded activation's output, for checking targets. */
export function activationRange(name: ActivationName): [number, number] {
  switch (name) {
    case 'sigmoid':
    case 'step':
    case 'piecewiseLinear':
    case 'softmax':
      return [0, 1];
    case 'tanh':
    case 'sign':
      return [-1, 1];
    case 'relu':
    case 'softplus':
      return [0, Infinity];
    default:
      return [-Infinity, Infinity];
  }
}

/** Leaky ReLU's slope for v < 0 unless a layer says otherwise (Keras uses 0.3, TF's nn.leaky_relu 0.2; we follow TF). */
export const DEFAULT_LEAKY_ALPHA = 0.2;

export function checkActivation(name: unknown): ActivationName {
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new RangeError(`unknown activation '${String(name)}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as ActivationName;
}

export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** softplus(v) = ln(1 + e^v), written so that large |v| neither overflows nor loses the small term. */
export function softplus(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** y = f(v) for one element (softmax is a row operation: see softmaxRows). */
export function activate(name: ActivationName, v: number, alpha = DEFAULT_LEAKY_ALPHA): number {
  switch (name) {
    case 'linear':
      return v;
    case 'sigmoid':
      return sigmoid(v);
    case 'tanh':
      return Math.tanh(v);
    case 'relu':
      return v > 0 ? v : 0;
    case 'leakyRelu':
      return v > 0 ? v : alpha * v;
    case 'softplus':
      return softplus(v);
    case 'softmax':
      throw new Error('softmax is applied to a whole row: use softmaxRows');
    case 'step':
      return v > 0 ? 1 : v < 0 ? 0 : 0.5;
    case 'sign':
      return v > 0 ? 1 : v < 0 ? -1 : 0;
    case 'piecewiseLinear':
      return v <= -0.5 ? 0 : v >= 0.5 ? 1 : v + 0.5;
  }
}

/** f'(v), given v and y = f(v). */
export function derivative(name: ActivationName, v: number, y: number, alpha = DEFAULT_LEAKY_ALPHA): number {
  switch (name) {
    case 'linear':
      return 1;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
    case 'relu':
      return v > 0 ? 1 : 0;
    case 'leakyRelu':
      return v > 0 ? 1 : alpha;
    case 'softplus':
      return sigmoid(v);
    case 'softmax':
      throw new Error('softmax has no elementwise derivative: its delta is a Jacobian–vector product');
    // 0 almost everywhere (at the jump the derivative does not exist; we take 0 there too)
    case 'step':
    case 'sign':
      return 0;
    case 'piecewiseLinear':
      return v > -0.5 && v < 0.5 ? 1 : 0;
  }
}

/** Row-wise softmax of v (rows × cols) into y; subtracts the row maximum so exp never overflows. */
export function softmaxRows(v: Floats, y: Floats, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, v[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      y[o + c] = Math.exp(v[o + c] - max);
      sum += y[o + c];
    }
    for (let c = 0; c < cols; c++) y[o + c] /= sum;
  }
}
