// matmul_naive.wgsl — the readable reference matrix product: one invocation per output element,
// scalar loads straight from storage, no workgroup memory, no blocking.
//
//   C[i][j] = Σ_{r<R} A'(i, r)·B'(r, j)     then   store_c(i, j, C[i][j])   (the epilogue file)
//
// FORM picks the transposes the training step needs (A and B are row-major, strides dims.ldA/ldB):
//   0  NT  C = A·Bᵀ   forward      V = X·Wᵀ           A'(i,r) = A[i][r]   B'(r,j) = B[j][r]
//   1  NN  C = A·B    backprop     e_prev = δ·W       A'(i,r) = A[i][r]   B'(r,j) = B[r][j]
//   2  TN  C = Aᵀ·B   gradient     G = δᵀ·X           A'(i,r) = A[r][i]   B'(r,j) = B[r][j]
// It exists to check the fast kernels against and as the benchmark's baseline.

override FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

fn a_at(i: u32, r: u32) -> f32 {
  if (FORM == 2u) { return A[r * dims.ldA + i]; }
  return A[i * dims.ldA + r];
}

fn b_at(r: u32, j: u32) -> f32 {
  if (FORM == 0u) { return B[j * dims.ldB + r]; }
  return B[r * dims.ldB + j];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let i = gid.y;
  let j = gid.x;
  if (i >= M || j >= dims.N) { return; }
  var sum = 0.0;
  for (var r = 0u; r < R; r++) {
    sum += a_at(i, r) * b_at(r, j);
  }
  store_c(i, j, sum);
}
