// softmax.wgsl — row-wise softmax of the output layer's net input: y = exp(v − max v) / Σ exp(v − max v).
// Subtracting the row maximum keeps exp from overflowing (same as softmaxRows in src/activations.ts).
// One invocation per row: output layers are narrow (tens of units), so a row fits one loop.

@group(0) @binding(0) var<storage, read> V: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> shape: RowShape;
@group(0) @binding(3) var<storage, read> step: Step;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= step.rows) { return; }
  let o = r * shape.ld;
  var mx = V[o];
  for (var c = 1u; c < shape.cols; c++) { mx = max(mx, V[o + c]); }
  var sum = 0.0;
  for (var c = 0u; c < shape.cols; c++) {
    let e = exp(V[o + c] - mx);
    Y[o + c] = e;
    sum += e;
  }
  for (var c = 0u; c < shape.cols; c++) { Y[o + c] = Y[o + c] / sum; }
}
