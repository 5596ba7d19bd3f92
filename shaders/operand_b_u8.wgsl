// operand_b_u8.wgsl — operand_b_f32.wgsl for the first layer's weight gradient δᵀ·X (FORM 2 only) when the
// batch X holds 8-bit pixels, four to a u32 (row stride ldB bytes = ldB/4 words): one gathered word gives
// four columns of a row, where a float32 batch needs four gathers; unpack4x8unorm widens them to b/255.

@group(0) @binding(1) var<storage, read> B: array<u32>;

fn b_pixels4(r: u32, j0: u32, N: u32, R: u32) -> vec4<f32> {
  return select(ZERO4, unpack4x8unorm(B[r * (dims.ldB / 4u) + j0 / 4u]), r < R && j0 < N);
}

// The 4×4 block of X at terms (batch rows) r0.., columns (pixels) j0..: one word per row.
fn b_block_t(r0: u32, j0: u32, N: u32, R: u32) -> mat4x4<f32> {
  return mat4x4<f32>(b_pixels4(r0 + 0u, j0, N, R), b_pixels4(r0 + 1u, j0, N, R), b_pixels4(r0 + 2u, j0, N, R), b_pixels4(r0 + 3u, j0, N, R));
}
