// matmul_regblock.wgsl — register-blocked matrix product without workgroup memory: each invocation
// computes an 8×4 block of C (two 4×4 blocks sharing each loaded B block), loading 4-wide vectors
// straight from storage; a workgroup of 8×8 invocations covers 64 rows × 32 columns. Same contract and
// FORMs as matmul_naive.wgsl. (8×4 measured faster than 4×4 on SwiftShader at 512² and the MNIST batch-256
// shape, about the same at 256²; see bench/RESULTS.md.)
//
// Why no workgroup memory: on a software adapter (SwiftShader) a workgroup barrier is a coroutine switch
// over every invocation and "global" memory is the CPU's cached RAM, so shared-memory tiling was measured
// slower than naive there. Register blocking alone cuts loads from 2 per FMA (naive) to 8 vec4 loads per
// 64 FMAs (8×4 blocks: 12 per 128). On real GPUs, matmul_tiled.wgsl (same blocking plus shared tiles) is the better choice.
//
// The operands come from operand_a_f32.wgsl and operand_b_f32.wgsl (the bindings of A and B, the 4×4 blocks
// a_block_t / b_block_t, the padding invariant they rely on), as for wide, subgroup and splitk;
// operand_a_u8.wgsl / operand_b_u8.wgsl read the first layer's batch as 8-bit pixels instead (kernels.ts).
// One step of 4 terms is a single 4×4 matrix product: acc = Cᵀ block (acc[i] = row i of C);  Cᵀ += Bᵀ·Aᵀ.

override FORM: u32 = 0u;

@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  // each invocation: rows i0..i0+7 (two 4×4 blocks sharing one B block), columns j0..j0+3
  let i0 = wg.y * 64u + lid.y * 8u;
  let j0 = wg.x * 32u + lid.x * 4u;
  if (i0 >= M || j0 >= N) { return; } // no barriers here, so leaving early is allowed
  var acc0 = mat4x4<f32>();
  var acc1 = mat4x4<f32>();
  for (var r0 = 0u; r0 < R; r0 += 4u) {
    let b = b_block_t(r0, j0, N, R);
    acc0 += b * a_block_t(i0, r0, M, R);
    acc1 += b * a_block_t(i0 + 4u, r0, M, R);
  }
  for (var i = 0u; i < 8u; i++) {
    if (i0 + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (j0 + j < N) {
        var c = 0.0;
        if (i < 4u) { c = acc0[i][j]; } else { c = acc1[i - 4u][j]; }
        store_c(i0 + i, j0 + j, c);
      }
    }
  }
}
