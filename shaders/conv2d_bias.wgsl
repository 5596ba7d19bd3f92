// conv2d_bias.wgsl — a conv2d layer's bias gradient and update: one invocation per filter f sums its deltas
// over the batch and every output position, D_b[f] = (1/rows)·Σ_r Σ_p δ[r][f, p], and applies the optimizer
// (no L2 on biases), as bias_update.wgsl does for a dense layer's units.

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> Mb: array<f32>;
@group(0) @binding(3) var<storage, read_write> Vb: array<f32>;
@group(0) @binding(4) var<uniform> win: Window;
@group(0) @binding(5) var<storage, read> step: Step;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let f = gid.x;
  if (f >= win.F) { return; }
  let P = win.OH * win.OW;
  var s = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    let o = r * win.ldOut + f * P;
    for (var p = 0u; p < P; p++) { s += delta[o + p]; }
  }
  var m = 0.0;
  var v = 0.0;
  if (OPTIMIZER != 0u) { m = Mb[f]; }
  if (OPTIMIZER == 2u) { v = Vb[f]; }
  let u = optimize(b[f], s / f32(step.rows), 0.0, m, v, step.t);
  b[f] = u.p;
  if (OPTIMIZER != 0u) { Mb[f] = u.m; }
  if (OPTIMIZER == 2u) { Vb[f] = u.v; }
}
