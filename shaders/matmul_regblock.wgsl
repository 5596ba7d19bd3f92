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
// Layout invariant this relies on: every matrix row is padded to a multiple of 4 floats with zeros, and
// kernels never write the padding. So a vec4 load along the summed dimension r may run past R into
// zeros; loads past the row count of an operand (M, N, or R when r indexes rows) are masked.
//
// Blocks are kept as mat4x4 columns, so one step of 4 terms is a single 4×4 matrix product:
//   acc = Cᵀ block (acc[i] = row i of C, 4 columns);  Cᵀ += Bᵀ·Aᵀ.

override FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

// The 4×4 block of A' at rows i0.., terms r0.., as Aᵀ (column c = row i0+c of A', over r).
fn a_block_t(i0: u32, r0: u32, M: u32, R: u32) -> mat4x4<f32> {
  let lda4 = dims.ldA / 4u;
  if (FORM == 2u) {
    // A is stored R × M: vec4 over i from rows r0..r0+3 gives A' block itself; transpose it
    let q = mat4x4<f32>(
      select(ZERO4, A[(r0 + 0u) * lda4 + i0 / 4u], r0 + 0u < R),
      select(ZERO4, A[(r0 + 1u) * lda4 + i0 / 4u], r0 + 1u < R),
      select(ZERO4, A[(r0 + 2u) * lda4 + i0 / 4u], r0 + 2u < R),
      select(ZERO4, A[(r0 + 3u) * lda4 + i0 / 4u], r0 + 3u < R));
    return transpose(q);
  }
  let c = r0 / 4u;
  return mat4x4<f32>(
    select(ZERO4, A[(i0 + 0u) * lda4 + c], i0 + 0u < M),
    select(ZERO4, A[(i0 + 1u) * lda4 + c], i0 + 1u < M),
    select(ZERO4, A[(i0 + 2u) * lda4 + c], i0 + 2u < M),
    select(ZERO4, A[(i0 + 3u) * lda4 + c], i0 + 3u < M));
}

// The 4×4 block of B' at terms r0.., columns j0.., as Bᵀ (column c = row r0+c of B', over j).
fn b_block_t(r0: u32, j0: u32, N: u32, R: u32) -> mat4x4<f32> {
  let ldb4 = dims.ldB / 4u;
  if (FORM == 0u) {
    // B is stored N × R: vec4 over r from rows j0..j0+3 gives B' block itself; transpose it
    let c = r0 / 4u;
    let q = mat4x4<f32>(
      select(ZERO4, B[(j0 + 0u) * ldb4 + c], j0 + 0u < N),
      select(ZERO4, B[(j0 + 1u) * ldb4 + c], j0 + 1u < N),
      select(ZERO4, B[(j0 + 2u) * ldb4 + c], j0 + 2u < N),
      select(ZERO4, B[(j0 + 3u) * ldb4 + c], j0 + 3u < N));
    return transpose(q);
  }
  return mat4x4<f32>(
    select(ZERO4, B[(r0 + 0u) * ldb4 + j0 / 4u], r0 + 0u < R),
    select(ZERO4, B[(r0 + 1u) * ldb4 + j0 / 4u], r0 + 1u < R),
    select(ZERO4, B[(r0 + 2u) * ldb4 + j0 / 4u], r0 + 2u < R),
    select(ZERO4, B[(r0 + 3u) * ldb4 + j0 / 4u], r0 + 3u < R));
}

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
