// epilogue_forward.wgsl — forward pass of a dense layer fused into the product V = X·Wᵀ (FORM 0):
//   v = (X·Wᵀ)[i][j] + b[j],   y = f(v)
// Both v and y are kept: the deltas need f'(v) (ReLU family) or y (sigmoid, tanh). For a softmax layer
// WRITE_Y is false and softmax.wgsl computes y from the whole row afterwards. Without a bias, HAS_BIAS is
// false and `bias` is bound to a dummy buffer that is never read.

override HAS_BIAS: bool = true;
override WRITE_Y: bool = true;

@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> V: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

fn store_c(i: u32, j: u32, c: f32) {
  var v = c;
  if (HAS_BIAS) { v += bias[j]; }
  let k = i * dims.ldC + j;
  V[k] = v;
  if (WRITE_Y) { Y[k] = activate(v); }
}
