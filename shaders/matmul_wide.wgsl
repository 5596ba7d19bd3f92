// matmul_wide.wgsl — matmul_regblock.wgsl with an 8×8 block per invocation (four 4×4 blocks: two of A
// × two of B) instead of 8×4, so a workgroup of 8×8 invocations covers 64 × 64 outputs. Same contract,
// FORMs and zero-padded-rows invariant as matmul_regblock.wgsl.
//
// Why: on SwiftShader the loads, not the FMAs, bound regblock (each lane's vec4 load is a bounds-checked
// gather): regblock issues 12 vec4 loads per 128 FMAs, this one 16 per 256. The cost is 4× fewer
// invocations than outputs/8, which matters only for small products (the tuner keeps regblock there).
//
// The operands (A, B, a_block_t, b_block_t) come from operand_{a,b}_f32.wgsl or operand_{a,b}_u8.wgsl.

override FORM: u32 = 0u;

@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  // each invocation: rows i0..i0+7, columns j0..j0+7, as four 4×4 blocks acc{row half}{column half}
  let i0 = wg.y * 64u + lid.y * 8u;
  let j0 = wg.x * 64u + lid.x * 8u;
  if (i0 >= M || j0 >= N) { return; } // no barriers here, so leaving early is allowed
  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();
  for (var r0 = 0u; r0 < R; r0 += 4u) {
    let b0 = b_block_t(r0, j0, N, R);
    let b1 = b_block_t(r0, j0 + 4u, N, R);
    let a0 = a_block_t(i0, r0, M, R);
    let a1 = a_block_t(i0 + 4u, r0, M, R);
    acc00 += b0 * a0;
    acc01 += b1 * a0;
    acc10 += b0 * a1;
    acc11 += b1 * a1;
  }
  // named accumulators, not an array: SwiftShader spills a dynamically indexed private array to memory
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (i0 + i < M && j0 + j < N) { store_c(i0 + i, j0 + j, acc00[i][j]); }
      if (i0 + i < M && j0 + 4u + j < N) { store_c(i0 + i, j0 + 4u + j, acc01[i][j]); }
      if (i0 + 4u + i < M && j0 + j < N) { store_c(i0 + 4u + i, j0 + j, acc10[i][j]); }
      if (i0 + 4u + i < M && j0 + 4u + j < N) { store_c(i0 + 4u + i, j0 + 4u + j, acc11[i][j]); }
    }
  }
}
