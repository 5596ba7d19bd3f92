// gather.wgsl — builds a step's batch on the GPU: row r of the batch is pattern order[start + r] of the
// resident data set (inputs X and targets D), copied a vec4 at a time. The data set is uploaded once and
// the epoch's order (a seeded permutation from the host) once per trainSteps call, so no pattern data
// crosses the bus during training. Rows r ≥ rows of a short last batch are zeroed, so stale values of a
// longer batch can never leak into a sum. Evaluate/predict set `sequential` and read rows in place.

struct GatherShape {
  ldX4: u32,   // input row stride in vec4s
  ldD4: u32,   // target row stride in vec4s (0: no targets)
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> Dset: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> Xb: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> Db: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> shape: GatherShape;
@group(0) @binding(6) var<storage, read> step: Step;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let r = gid.y;
  let live = r < step.rows;
  var p = 0u;
  if (live) {
    p = select(order[step.start + r], step.start + r, step.sequential == 1u);
  }
  if (c < shape.ldX4) {
    Xb[r * shape.ldX4 + c] = select(vec4<f32>(0.0), X[p * shape.ldX4 + c], live);
  }
  if (c < shape.ldD4) {
    Db[r * shape.ldD4 + c] = select(vec4<f32>(0.0), Dset[p * shape.ldD4 + c], live);
  }
}
