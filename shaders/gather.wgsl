// gather.wgsl — builds a step's batch on the GPU: row r of the batch is pattern order[start + r] of the
// resident data set (inputs X and targets D), written a vec4 at a time. The data set is uploaded once and
// the epoch's order (a seeded permutation from the host) once per trainSteps call, so no pattern data
// crosses the bus during training. Rows r ≥ rows of a short last batch are zeroed, so stale values of a
// longer batch can never leak into a sum. Evaluate/predict (and streamed chunks) set `sequential` and
// read rows in place.
//
// The data set keeps its own width (override constants pick the variant):
//   X_U8      inputs are bytes, four to a u32 word (row stride ldX4 words = ld(cols) bytes), widened through
//             `byteScale`, the host's table of float32(b/255), so the result equals the float32 path bit for bit;
//             otherwise X holds the float32 bits (row stride ldX4 vec4s).
//   D_LABELS  targets are one u32 class index per row, expanded here to a one-hot row of exact 0s and 1s;
//             otherwise Dset holds the float32 target rows (row stride ldD4 vec4s).
//   PACKED    (with X_U8) the batch keeps the bytes: the words are copied as they are into Xq, for the first
//             layer's 8-bit matmul operands (operand_a_u8.wgsl, operand_b_u8.wgsl), and Xb is not written.
// A batch may have more rows than one dispatch dimension allows (65,535 workgroups): rows are spread over
// y and z, r = y + z·rowsY.

override X_U8: bool = false;
override D_LABELS: bool = false;
override PACKED: bool = false;

struct GatherShape {
  ldX4: u32,   // input row stride in vec4s (= u32 words of packed bytes)
  ldD4: u32,   // target row stride in vec4s (0: no targets)
  rowsY: u32,  // batch rows per z slice of the dispatch
  cap: u32,    // batch rows the plan holds (the last z slice may reach past them)
}

@group(0) @binding(0) var<storage, read> X: array<u32>;
@group(0) @binding(1) var<storage, read> Dset: array<u32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> Xb: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> Db: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> shape: GatherShape;
@group(0) @binding(6) var<storage, read> step: Step;
@group(0) @binding(7) var<storage, read> byteScale: array<f32, 256>;
@group(0) @binding(8) var<storage, read_write> Xq: array<u32>;

fn inputs4(p: u32, c: u32) -> vec4<f32> {
  if (X_U8) {
    let w = X[p * shape.ldX4 + c];
    return vec4<f32>(byteScale[w & 0xffu], byteScale[(w >> 8u) & 0xffu], byteScale[(w >> 16u) & 0xffu], byteScale[w >> 24u]);
  }
  let o = 4u * (p * shape.ldX4 + c);
  return bitcast<vec4<f32>>(vec4<u32>(X[o], X[o + 1u], X[o + 2u], X[o + 3u]));
}

fn targets4(p: u32, c: u32) -> vec4<f32> {
  if (D_LABELS) {
    let k = Dset[p];
    let j = 4u * c;
    return select(vec4<f32>(0.0), vec4<f32>(1.0), vec4<u32>(j, j + 1u, j + 2u, j + 3u) == vec4<u32>(k));
  }
  let o = 4u * (p * shape.ldD4 + c);
  return bitcast<vec4<f32>>(vec4<u32>(Dset[o], Dset[o + 1u], Dset[o + 2u], Dset[o + 3u]));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let r = gid.y + gid.z * shape.rowsY;
  if (gid.y >= shape.rowsY || r >= shape.cap) { return; }
  let live = r < step.rows;
  var p = 0u;
  if (live) {
    p = select(order[step.start + r], step.start + r, step.sequential == 1u);
  }
  if (PACKED && c < shape.ldX4) {
    var w = 0u;
    if (live) { w = X[p * shape.ldX4 + c]; }
    Xq[r * shape.ldX4 + c] = w;
  } else if (c < shape.ldX4) {
    var v = vec4<f32>(0.0);
    if (live) { v = inputs4(p, c); }
    Xb[r * shape.ldX4 + c] = v;
  }
  if (c < shape.ldD4) {
    var d = vec4<f32>(0.0);
    if (live) { d = targets4(p, c); }
    Db[r * shape.ldD4 + c] = d;
  }
}
