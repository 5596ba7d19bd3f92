// epilogue_backprop.wgsl — a hidden layer's delta fused into the product e_prev = δ·W (FORM 1):
//   δ_prev[i][j] = f'(v_prev, y_prev)·e_prev[i][j]
// W is the next layer's weight matrix BEFORE this step's update: every delta of a step is encoded before
// any update, as the lecture's online SGD (and the CPU reference) requires.

@group(0) @binding(4) var<storage, read> Vprev: array<f32>;
@group(0) @binding(5) var<storage, read> Yprev: array<f32>;
@group(0) @binding(6) var<storage, read_write> deltaPrev: array<f32>;

fn store_c(i: u32, j: u32, e: f32) {
  let k = i * dims.ldC + j;
  deltaPrev[k] = derivative(Vprev[k], Yprev[k]) * e;
}
