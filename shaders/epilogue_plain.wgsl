// epilogue_plain.wgsl — stores the product as is: C[i][j] = c. Used by the kernel tests and the
// matmul benchmark; the training step uses the fused epilogues below.

@group(0) @binding(4) var<storage, read_write> C: array<f32>;

fn store_c(i: u32, j: u32, c: f32) {
  C[i * dims.ldC + j] = c;
}
