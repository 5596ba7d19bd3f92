// conv2d_store.wgsl — the conv2d forward epilogue, shared by both forward kernels (conv2d_forward.wgsl, the
// reference, and conv2d_forward_tiled.wgsl): bias and activation fused into the sum, as the dense forward
// epilogue does (epilogue_forward.wgsl):
//   v[r][f, p] = Σ + b[f],   y = f(v)       (p = oy·OW + ox, the output pixel)
// Both v and y are kept: the deltas need f'(v) (ReLU family) or y (sigmoid, tanh). Without a bias, HAS_BIAS
// is false and `bias` is bound to a dummy buffer that is never read; WRITE_Y is false for a softmax output.

override HAS_BIAS: bool = true;
override WRITE_Y: bool = true;

@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> V: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

fn store_v(r: u32, f: u32, p: u32, sum: f32) {
  var v = sum;
  if (HAS_BIAS) { v += bias[f]; }
  let k = r * win.ldOut + f * win.OH * win.OW + p;
  V[k] = v;
  if (WRITE_Y) { Y[k] = activate(v); }
}
