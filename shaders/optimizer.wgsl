// optimizer.wgsl — one parameter's update from its averaged, downhill weight change D, as in
// src/optimizers.ts (ids: sgd 0, momentum 1, adam 2):
//   sgd       W ← W + η·(D − λ·W)
//   momentum  V ← μ·V + η·(D − λ·W);  W ← W + V
//   adam      g = −(D − λ·W);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  W ← W − η·m̂/(√v̂ + ε)
// λ is passed in (weights: hyper.l2, biases: 0). t (Adam's bias correction) comes from the Step record.

override OPTIMIZER: u32 = 0u;

struct Hyper {
  lr: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  l2: f32,
  pad0: f32,
  pad1: f32,
}

@group(0) @binding(7) var<uniform> hyper: Hyper;

struct Updated {
  p: f32, // the parameter
  m: f32, // momentum's velocity or Adam's first moment
  v: f32, // Adam's second moment
}

fn optimize(p: f32, D: f32, l2: f32, m: f32, v: f32, t: u32) -> Updated {
  let step = D - l2 * p;
  switch OPTIMIZER {
    case 1u: {
      let vel = hyper.momentum * m + hyper.lr * step;
      return Updated(p + vel, vel, v);
    }
    case 2u: {
      let g = -step;
      let m1 = hyper.beta1 * m + (1.0 - hyper.beta1) * g;
      let v1 = hyper.beta2 * v + (1.0 - hyper.beta2) * g * g;
      let c1 = 1.0 - pow(hyper.beta1, f32(t));
      let c2 = 1.0 - pow(hyper.beta2, f32(t));
      return Updated(p - hyper.lr * (m1 / c1) / (sqrt(v1 / c2) + hyper.epsilon), m1, v1);
    }
    default: {
      return Updated(p + hyper.lr * step, m, v);
    }
  }
}
