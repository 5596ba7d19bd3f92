// loss.wgsl — the per-pattern loss E and the error e = −∂E/∂y of one output, as in src/losses.ts
// (ids: halfSumSquared 0, sumSquared 1, meanSquared 2, binaryCrossentropy 3, categoricalCrossentropy 4,
// perceptron 5: E counts the outputs that differ from their targets; its δ = d − y is FUSED in output_delta).
// Probabilities are clamped to [ε, 1 − ε] inside logarithms and divisions, ε = 1e-7 (LOG_EPSILON).

override LOSS: u32 = 0u;
const LOG_EPSILON: f32 = 1e-7;

fn clamp_probability(y: f32) -> f32 {
  return clamp(y, LOG_EPSILON, 1.0 - LOG_EPSILON);
}

// 1 − clamp(y) computed as a clamp of 1 − y: in f32, 1 − (1 − ε) is 1.19e-7, not ε = 1e-7, which would
// make e = (1−d)/(1−p) 19% off the reference where y saturates; 1 − y itself is exact for y ≥ 0.5.
fn clamp_complement(y: f32) -> f32 {
  return clamp(1.0 - y, LOG_EPSILON, 1.0 - LOG_EPSILON);
}

// E's term for one output of a row of m outputs
fn loss_term(y: f32, d: f32, m: u32) -> f32 {
  switch LOSS {
    case 1u: { return (d - y) * (d - y); }
    case 2u: { return (d - y) * (d - y) / f32(m); }
    case 3u: {
      return -(d * log(clamp_probability(y)) + (1.0 - d) * log(clamp_complement(y)));
    }
    case 4u: {
      if (d == 0.0) { return 0.0; }
      return -d * log(clamp_probability(y));
    }
    case 5u: { return select(0.0, 1.0, y != d); }
    default: { return 0.5 * (d - y) * (d - y); }
  }
}

// e = −∂E/∂y
fn output_error(y: f32, d: f32, m: u32) -> f32 {
  switch LOSS {
    case 1u: { return 2.0 * (d - y); }
    case 2u: { return (2.0 / f32(m)) * (d - y); }
    case 3u: {
      return d / clamp_probability(y) - (1.0 - d) / clamp_complement(y);
    }
    case 4u: { return d / clamp_probability(y); }
    case 5u: { return d - y; }
    default: { return d - y; }
  }
}
