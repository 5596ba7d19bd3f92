// bias_update.wgsl — bias gradient reduction and update: one invocation per unit j sums the step's
// deltas down the batch, D_b[j] = (1/rows)·Σ_r δ[r][j], and applies the optimizer (no L2 on biases).
// Batches are at most a few thousand rows, so a serial sum per unit is cheap next to the matmuls.

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> Mb: array<f32>;
@group(0) @binding(3) var<storage, read_write> Vb: array<f32>;
@group(0) @binding(4) var<uniform> shape: RowShape;
@group(0) @binding(5) var<storage, read> step: Step;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= shape.cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    s += delta[r * shape.ld + j];
  }
  var m = 0.0;
  var v = 0.0;
  if (OPTIMIZER != 0u) { m = Mb[j]; }
  if (OPTIMIZER == 2u) { v = Vb[j]; }
  let u = optimize(b[j], s / f32(step.rows), 0.0, m, v, step.t);
  b[j] = u.p;
  if (OPTIMIZER != 0u) { Mb[j] = u.m; }
  if (OPTIMIZER == 2u) { Vb[j] = u.v; }
}
