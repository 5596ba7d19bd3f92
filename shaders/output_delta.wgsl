// output_delta.wgsl — the output layer's delta fused with the loss, plus the step's loss/accuracy:
//   fused (sigmoid + binary CE, softmax + categorical CE, the perceptron rule):  δ = d − y
//   softmax with another loss:                              δ_i = y_i·(e_i − Σ_j y_j·e_j)
//   otherwise:                                              δ = f'(v, y)·e,  e = −∂E/∂y (loss.wgsl)
// and per pattern E = Σ_k loss_term and "correct" = argmax(y) == argmax(d) (first index wins ties), or for
// a single output (y ≥ 0.5) == (d ≥ 0.5). Computed from the forward pass before the step's update.
// One workgroup of 64 invocations walks the batch's rows, then reduces (metrics.wgsl). Evaluate uses the
// same kernel with WRITE_DELTA = false.

override FUSED: bool = false;
override WRITE_DELTA: bool = true;

@group(0) @binding(0) var<storage, read> V: array<f32>;
@group(0) @binding(1) var<storage, read> Y: array<f32>;
@group(0) @binding(2) var<storage, read> D: array<f32>;    // targets, same padded layout as Y
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;
@group(0) @binding(4) var<uniform> shape: RowShape;
@group(0) @binding(5) var<storage, read> step: Step;
@group(0) @binding(6) var<storage, read_write> acc: Accum;

fn argmax_row(o: u32, m: u32, useTargets: bool) -> u32 {
  var best = 0u;
  var bv = select(Y[o], D[o], useTargets);
  for (var k = 1u; k < m; k++) {
    let x = select(Y[o + k], D[o + k], useTargets);
    if (x > bv) { bv = x; best = k; }
  }
  return best;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let m = shape.cols;
  let rows = step.rows;
  var lossSum = 0.0;
  var correct = 0u;
  for (var r = t; r < rows; r += WG) {
    let o = r * shape.ld;
    var E = 0.0;
    for (var k = 0u; k < m; k++) { E += loss_term(Y[o + k], D[o + k], m); }
    lossSum += E;
    if (m == 1u) {
      correct += select(0u, 1u, (Y[o] >= 0.5) == (D[o] >= 0.5));
    } else {
      correct += select(0u, 1u, argmax_row(o, m, false) == argmax_row(o, m, true));
    }
    if (WRITE_DELTA) {
      if (FUSED) {
        for (var k = 0u; k < m; k++) { delta[o + k] = D[o + k] - Y[o + k]; }
      } else if (ACTIVATION == 6u) {
        var dot = 0.0;
        for (var k = 0u; k < m; k++) { dot += Y[o + k] * output_error(Y[o + k], D[o + k], m); }
        for (var k = 0u; k < m; k++) { delta[o + k] = Y[o + k] * (output_error(Y[o + k], D[o + k], m) - dot); }
      } else {
        for (var k = 0u; k < m; k++) {
          delta[o + k] = derivative(V[o + k], Y[o + k]) * output_error(Y[o + k], D[o + k], m);
        }
      }
    }
  }
  accumulate_metrics(t, lossSum, correct, rows);
}
