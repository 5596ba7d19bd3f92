// operands_f32.wgsl — the matmul operands A and B as float32 matrices, and the 4×4 blocks of them that the
// register-blocked kernels (matmul_regblock, matmul_wide, matmul_subgroup) multiply. operands_u8a.wgsl and
// operands_u8b.wgsl give the same blocks read from 8-bit pixels (the first layer's batch of a byte data set).
//
// Layout invariant this relies on: every matrix row is padded to a multiple of 4 floats with zeros, and
// kernels never write the padding. So a vec4 load along the summed dimension r may run past R into
// zeros; loads past the row count of an operand (M, N, or R when r indexes rows) are masked, and so are
// vec4 loads across a row that start past its end (i0 ≥ M, j0 ≥ N: a block beside the edge of C).
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
      select(ZERO4, A[(r0 + 0u) * lda4 + i0 / 4u], r0 + 0u < R && i0 < M),
      select(ZERO4, A[(r0 + 1u) * lda4 + i0 / 4u], r0 + 1u < R && i0 < M),
      select(ZERO4, A[(r0 + 2u) * lda4 + i0 / 4u], r0 + 2u < R && i0 < M),
      select(ZERO4, A[(r0 + 3u) * lda4 + i0 / 4u], r0 + 3u < R && i0 < M));
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
    select(ZERO4, B[(r0 + 0u) * ldb4 + j0 / 4u], r0 + 0u < R && j0 < N),
    select(ZERO4, B[(r0 + 1u) * ldb4 + j0 / 4u], r0 + 1u < R && j0 < N),
    select(ZERO4, B[(r0 + 2u) * ldb4 + j0 / 4u], r0 + 2u < R && j0 < N),
    select(ZERO4, B[(r0 + 3u) * ldb4 + j0 / 4u], r0 + 3u < R && j0 < N));
}

