/**
 * Optimizers: how the averaged weight change D = (1/B)·Σ δ·xᵀ (already pointing downhill) moves the weights.
 *
 *   sgd       W ← W + η·(D − λ·W)
 *   momentum  V ← μ·V + η·(D − λ·W);  W ← W + V
 *   adam      g = −(D − λ·W);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  W ← W − η·m̂/(√v̂ + ε)
 *
 * λ is L2 weight decay (the gradient of ½λ‖W‖²) and applies to weights, not biases, as Keras's
 * kernel_regularizer does. The WGSL update epilogue (shaders/update.wgsl) uses the same formulas and ids.
 */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';

export interface OptimizerConfig {
  type: OptimizerName;
  learningRate: number;
  /** momentum only: μ */
  momentum?: number;
  /** adam only */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 weight decay λ on weights (not biases) */
  l2?: number;
}

export const OPTIMIZER_ID: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2 };

export const sgd = (learningRate = 0.01, opts: { l2?: number } = {}): OptimizerConfig => ({ type: 'sgd', learningRate, ...opts });
export const momentum = (learningRate = 0.01, mu = 0.9, opts: { l2?: number } = {}): OptimizerConfig => ({
  type: 'momentum',
  learningRate,
  momentum: mu,
  ...opts,
});
export const adam = (learningRate = 0.001, opts: { beta1?: number; beta2?: number; epsilon?: number; l2?: number } = {}): OptimizerConfig => ({
  type: 'adam',
  learningRate,
  ...opts,
});

/** Fills in defaults and rejects nonsense with a message that names it. */
export function resolveOptimizer(o: OptimizerConfig | OptimizerName | undefined): Required<OptimizerConfig> {
  const cfg: OptimizerConfig = o === undefined ? sgd() : typeof o === 'string' ? { type: o, learningRate: o === 'adam' ? 0.001 : 0.01 } : o;
  if (!['sgd', 'momentum', 'adam'].includes(cfg.type)) {
    throw new RangeError(`unknown optimizer '${String(cfg.type)}'; expected sgd, momentum or adam`);
  }
  const full: Required<OptimizerConfig> = {
    type: cfg.type,
    learningRate: cfg.learningRate,
    momentum: cfg.momentum ?? 0.9,
    beta1: cfg.beta1 ?? 0.9,
    beta2: cfg.beta2 ?? 0.999,
    epsilon: cfg.epsilon ?? 1e-7,
    l2: cfg.l2 ?? 0,
  };
  for (const [k, v] of Object.entries(full)) {
    if (k !== 'type' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new RangeError(`optimizer ${k} must be a finite number ≥ 0, got ${String(v)}`);
    }
  }
  if (full.learningRate <= 0) throw new RangeError(`learning rate must be > 0, got ${full.learningRate}`);
  if (full.momentum >= 1 || full.beta1 >= 1 || full.beta2 >= 1) throw new RangeError('momentum, beta1 and beta2 must be < 1');
  return full;
}
