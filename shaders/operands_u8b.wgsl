// operands_u8b.wgsl — operands_f32.wgsl (the blocks the register-blocked kernels multiply) for the first layer's weight gradient δᵀ·X (FORM 2 only) when the
// batch X holds 8-bit pixels, four to a u32 (row stride ldB bytes = ldB/4 words): one gathered word gives
// four columns of a row, where a float32 batch needs four gathers; unpack4x8unorm widens them to b/255.
// δ (A, stored R × M) is float32 as in operands_f32.wgsl.

override FORM: u32 = 2u;

@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<u32>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

// The 4×4 block of δᵀ at rows i0.., terms r0.. (operands_f32.wgsl, FORM 2).
fn a_block_t(i0: u32, r0: u32, M: u32, R: u32) -> mat4x4<f32> {
  let lda4 = dims.ldA / 4u;
  let q = mat4x4<f32>(
    select(ZERO4, A[(r0 + 0u) * lda4 + i0 / 4u], r0 + 0u < R && i0 < M),
    select(ZERO4, A[(r0 + 1u) * lda4 + i0 / 4u], r0 + 1u < R && i0 < M),
    select(ZERO4, A[(r0 + 2u) * lda4 + i0 / 4u], r0 + 2u < R && i0 < M),
    select(ZERO4, A[(r0 + 3u) * lda4 + i0 / 4u], r0 + 3u < R && i0 < M));
  return transpose(q);
}

fn pixels4(r: u32, j0: u32, N: u32, R: u32) -> vec4<f32> {
  return select(ZERO4, unpack4x8unorm(B[r * (dims.ldB / 4u) + j0 / 4u]), r < R && j0 < N);
}

// The 4×4 block of X at terms (batch rows) r0.., columns (pixels) j0..: one word per row.
fn b_block_t(r0: u32, j0: u32, N: u32, R: u32) -> mat4x4<f32> {
  return mat4x4<f32>(pixels4(r0 + 0u, j0, N, R), pixels4(r0 + 1u, j0, N, R), pixels4(r0 + 2u, j0, N, R), pixels4(r0 + 3u, j0, N, R));
}
