// operands_u8a.wgsl — operands_f32.wgsl (the blocks the register-blocked kernels multiply) for the first layer's forward product V = X·Wᵀ (FORM 0 only) when
// the batch X holds 8-bit pixels, four to a u32 (row stride ldA bytes = ldA/4 words; the gather kernel
// copies them from the data set, zero padding included). One gathered word gives four terms of a row, where
// a float32 batch needs four gathers; unpack4x8unorm widens them to b/255, the value the float32 path uses
// (to the last bit or so: the kernels are checked against the CPU within the products' tolerance).
// W (B, stored N × R) is float32 as in operands_f32.wgsl.

override FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<u32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

fn pixels4(i: u32, w: u32, M: u32) -> vec4<f32> {
  return select(ZERO4, unpack4x8unorm(A[i * (dims.ldA / 4u) + w]), i < M);
}

// The 4×4 block of X at rows i0.., terms r0.., as Xᵀ (column c = row i0+c, over r): one word per row.
fn a_block_t(i0: u32, r0: u32, M: u32, R: u32) -> mat4x4<f32> {
  let w = r0 / 4u;
  return mat4x4<f32>(pixels4(i0 + 0u, w, M), pixels4(i0 + 1u, w, M), pixels4(i0 + 2u, w, M), pixels4(i0 + 3u, w, M));
}

// The 4×4 block of Wᵀ at terms r0.., columns j0.., as W's rows j0..j0+3 (operands_f32.wgsl, FORM 0).
fn b_block_t(r0: u32, j0: u32, N: u32, R: u32) -> mat4x4<f32> {
  let ldb4 = dims.ldB / 4u;
  let c = r0 / 4u;
  let q = mat4x4<f32>(
    select(ZERO4, B[(j0 + 0u) * ldb4 + c], j0 + 0u < N),
    select(ZERO4, B[(j0 + 1u) * ldb4 + c], j0 + 1u < N),
    select(ZERO4, B[(j0 + 2u) * ldb4 + c], j0 + 2u < N),
    select(ZERO4, B[(j0 + 3u) * ldb4 + c], j0 + 3u < N));
  return transpose(q);
}
