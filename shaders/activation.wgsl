// activation.wgsl — f(v) and f'(v, y) for the element-wise activations, selected by an override constant
// so each pipeline compiles to one straight formula. Ids and formulas match src/activations.ts
// (linear 0, sigmoid 1, tanh 2, relu 3, leakyRelu 4, softplus 5, softmax 6, step 7, sign 8,
// piecewiseLinear 9; softmax is a row operation, see softmax.wgsl and output_delta.wgsl).
// The threshold units (7–9) have f' = 0 almost everywhere (the ramp of 9 has 1): backpropagation through
// them moves nothing, the perceptron rule (loss 'perceptron', FUSED δ = d − y) trains them instead.

override ACTIVATION: u32 = 0u;
override ALPHA: f32 = 0.2; // leaky ReLU's slope for v < 0

fn sigmoid(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

fn activate(v: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return sigmoid(v); }
    case 2u: { return tanh(v); }
    case 3u: { return max(v, 0.0); }
    case 4u: { return select(ALPHA * v, v, v > 0.0); }
    // ln(1 + e^v) without overflow; WGSL has no log1p, the absolute error stays below 1e-7
    case 5u: { return max(v, 0.0) + log(1.0 + exp(-abs(v))); }
    case 7u: { return select(select(0.5, 0.0, v < 0.0), 1.0, v > 0.0); }
    case 8u: { return sign(v); }
    case 9u: { return clamp(v + 0.5, 0.0, 1.0); }
    default: { return v; }
  }
}

// f'(v) given v and y = f(v): cheapest in y for sigmoid/tanh, in v for the others.
fn derivative(v: f32, y: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return y * (1.0 - y); }
    case 2u: { return 1.0 - y * y; }
    case 3u: { return select(0.0, 1.0, v > 0.0); }
    case 4u: { return select(ALPHA, 1.0, v > 0.0); }
    case 5u: { return sigmoid(v); }
    case 7u, 8u: { return 0.0; }
    case 9u: { return select(0.0, 1.0, v > -0.5 && v < 0.5); }
    default: { return 1.0; }
  }
}
