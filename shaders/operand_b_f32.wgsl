// operand_b_f32.wgsl — the matmul operand B as a float32 matrix, and its 4×4 blocks (see operand_a_f32.wgsl
// for the layout invariant and how the files fit together).

@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;

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
