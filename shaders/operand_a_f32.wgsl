// operand_a_f32.wgsl — the matmul operand A as a float32 matrix, and its 4×4 blocks as the blocked kernels
// (matmul_regblock, matmul_wide, matmul_subgroup, matmul_splitk) multiply them; operand_b_f32.wgsl is B's
// half. operand_a_u8.wgsl / operand_b_u8.wgsl read the same blocks from 8-bit pixels (the first layer's batch
// of a byte data set); kernels.ts puts one A file and one B file beside the kernel's core.
//
// Layout invariant this relies on: every matrix row is padded to a multiple of 4 floats with zeros, and
// kernels never write the padding. So a vec4 load along the summed dimension r may run past R into
// zeros; loads past the row count of an operand (M, N, or R when r indexes rows) are masked, and so are
// vec4 loads across a row that start past its end (i0 ≥ M, j0 ≥ N: a block beside the edge of C).
//
// Blocks are kept as mat4x4 columns, so one step of 4 terms is a single 4×4 matrix product:
//   acc = Cᵀ block (acc[i] = row i of C, 4 columns);  Cᵀ += Bᵀ·Aᵀ.
// The core declares FORM, dims, step and ZERO4.

@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;

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
