/**
 * updateWeights: moves one parameter tensor by its weight change D, per optimizer (formulas in
 * src/optimizers.ts). `decay` is the L2 factor λ for weights and 0 for biases.
 */
import type { OptimizerConfig } from '../../optimizers.ts';
import type { Floats } from '../../tensor.ts';

export interface OptimizerState {
  /** momentum's velocity V, or Adam's first moment m */
  m: Floats;
  /** Adam's second moment v (empty otherwise) */
  v: Floats;
}

export function newOptimizerState(o: Required<OptimizerConfig>, n: number, make: (n: number) => Floats): OptimizerState {
  return { m: make(o.type === 'sgd' ? 0 : n), v: make(o.type === 'adam' ? n : 0) };
}

/** t is the 1-based count of updates so far, for Adam's bias correction. */
export function updateWeights(o: Required<OptimizerConfig>, W: Floats, D: Floats, state: OptimizerState, t: number, decay: number): void {
  const eta = o.learningRate;
  switch (o.type) {
    case 'sgd':
      for (let k = 0; k < W.length; k++) W[k] += eta * (D[k] - decay * W[k]);
      break;
    case 'momentum':
      for (let k = 0; k < W.length; k++) {
        state.m[k] = o.momentum * state.m[k] + eta * (D[k] - decay * W[k]);
        W[k] += state.m[k];
      }
      break;
    case 'adam': {
      const c1 = 1 - Math.pow(o.beta1, t);
      const c2 = 1 - Math.pow(o.beta2, t);
      for (let k = 0; k < W.length; k++) {
        const g = -(D[k] - decay * W[k]);
        state.m[k] = o.beta1 * state.m[k] + (1 - o.beta1) * g;
        state.v[k] = o.beta2 * state.v[k] + (1 - o.beta2) * g * g;
        W[k] -= (eta * (state.m[k] / c1)) / (Math.sqrt(state.v[k] / c2) + o.epsilon);
      }
      break;
    }
  }
}
