// dropout_backward.wgsl — the error through a dropout layer, with the layer below's f' fused (as the dense
// backprop epilogue does):
//   δ_prev[r][k] = f'(v_prev, y_prev) · (keep ? scale·δ[r][k] : 0)
// with the very mask the forward pass used, drawn again from the same Philox counter (philox.wgsl): nothing
// was stored. With MASK = false it is the identity's backward pass, δ_prev = f'·δ, which is all a flatten
// layer needs (NCHW rows are already in flatten order, so its forward pass is no kernel at all).

override MASK: bool = true;

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<uniform> drop: Dropout;
@group(0) @binding(2) var<storage, read> step: Step;
@group(0) @binding(4) var<storage, read> Vprev: array<f32>;
@group(0) @binding(5) var<storage, read> Yprev: array<f32>;
@group(0) @binding(6) var<storage, read_write> deltaPrev: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  let r = gid.y + gid.z * drop.rowsY;
  if (k >= drop.units || gid.y >= drop.rowsY || r >= step.rows) { return; }
  let o = r * drop.ld + k;
  var e = delta[o];
  if (MASK) {
    let keep = dropout_keeps(drop.seed, drop.layer, step.t - 1u, r * drop.units + k, drop.threshold);
    e = select(0.0, e * drop.scale, keep);
  }
  deltaPrev[o] = derivative(Vprev[o], Yprev[o]) * e;
}
