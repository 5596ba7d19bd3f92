// operand_a_u8.wgsl — operand_a_f32.wgsl for the first layer's forward product V = X·Wᵀ (FORM 0 only) when
// the batch X holds 8-bit pixels, four to a u32 (row stride ldA bytes = ldA/4 words; the gather kernel copies
// them from the data set, zero padding included). One gathered word gives four terms of a row, where a
// float32 batch needs four gathers; unpack4x8unorm widens them to b/255, the value the float32 path uses (to
// the last bit or so: the kernels are checked against the CPU within the products' tolerance).

@group(0) @binding(0) var<storage, read> A: array<u32>;

fn a_pixels4(i: u32, w: u32, M: u32) -> vec4<f32> {
  return select(ZERO4, unpack4x8unorm(A[i * (dims.ldA / 4u) + w]), i < M);
}

// The 4×4 block of X at rows i0.., terms r0.., as Xᵀ (column c = row i0+c, over r): one word per row.
fn a_block_t(i0: u32, r0: u32, M: u32, R: u32) -> mat4x4<f32> {
  let w = r0 / 4u;
  return mat4x4<f32>(a_pixels4(i0 + 0u, w, M), a_pixels4(i0 + 1u, w, M), a_pixels4(i0 + 2u, w, M), a_pixels4(i0 + 3u, w, M));
}
