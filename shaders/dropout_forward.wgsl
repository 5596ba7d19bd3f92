// dropout_forward.wgsl — inverted dropout in a training step (src/backend.ts DropoutSpec):
//   y[r][k] = x[r][k]·scale  where dropout_keeps(seed, layer, t − 1, r·units + k)   (philox.wgsl)
//   y[r][k] = 0              otherwise
// scale = dropoutScale(rate) = float32(1/(1 − rate)). t − 1: Step.t counts this step's update (1 for the
// first), the mask is keyed by the updates before it. The mask is never stored: the backward pass
// (dropout_backward.wgsl) draws it again from the same counter. The layer's V is its Y (one buffer).
// Evaluate and predict do not run this kernel: there the layer passes x through (the buffers alias).

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<uniform> drop: Dropout;
@group(0) @binding(2) var<storage, read> step: Step;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  let r = gid.y + gid.z * drop.rowsY;
  if (k >= drop.units || gid.y >= drop.rowsY || r >= step.rows) { return; }
  let o = r * drop.ld + k;
  let keep = dropout_keeps(drop.seed, drop.layer, step.t - 1u, r * drop.units + k, drop.threshold);
  Y[o] = select(0.0, X[o] * drop.scale, keep);
}
