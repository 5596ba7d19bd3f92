// matmul_splitk.wgsl — a product with a narrow output (the 10-unit output layer: V = X·Wᵀ with N = 10,
// its backprop and weight gradient): a workgroup of 64 invocations computes one 4×16 tile of C by
// splitting the sum over R among its invocations (split-K inside the workgroup), then reduces.
//
// Why: with a 64×32 (regblock) or 32×32 (tiled) tile, a 64×10 output is ONE workgroup, most of whose
// invocations have no column to compute, and that workgroup walks all of R alone. Here the same output is
// 16 workgroups and every invocation sums a 1/64 share of the terms, so short, wide sums spread across
// the GPU (or SwiftShader's threads). Same contract and FORMs as matmul_naive.wgsl; relies on the
// zero-padded-rows invariant of operand_a_f32.wgsl, whose blocks (with operand_b_f32.wgsl's) it multiplies.
//
// Reduction: each invocation leaves its 4×16 partial block in workgroup memory (64 × 64 floats = 16 KiB,
// the WebGPU default limit), one barrier, then invocation t sums element t of the block over all 64.
// (A b_block_t past N reads nothing: its loads are masked to zero, and the blocks are skipped anyway.)

override FORM: u32 = 0u;

@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const THREADS: u32 = 64u;
var<workgroup> part: array<f32, 4096>; // part[s * 64 + e]: invocation s's partial of element e = i·16 + j

const ZERO4 = vec4<f32>(0.0);

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  let i0 = wg.y * 4u;
  let j0 = wg.x * 16u;
  // acc_q = Cᵀ block of columns j0+4q.. (acc_q[i] = row i0+i, 4 columns). Four named accumulators, not
  // an array: SwiftShader spills a dynamically indexed private array to memory. Blocks past N stay zero.
  var acc0 = mat4x4<f32>();
  var acc1 = mat4x4<f32>();
  var acc2 = mat4x4<f32>();
  var acc3 = mat4x4<f32>();
  for (var r0 = t * 4u; r0 < R; r0 += THREADS * 4u) {
    let a = a_block_t(i0, r0, M, R);
    acc0 += b_block_t(r0, j0, N, R) * a;
    if (j0 + 4u < N) { acc1 += b_block_t(r0, j0 + 4u, N, R) * a; }
    if (j0 + 8u < N) { acc2 += b_block_t(r0, j0 + 8u, N, R) * a; }
    if (j0 + 12u < N) { acc3 += b_block_t(r0, j0 + 12u, N, R) * a; }
  }
  for (var i = 0u; i < 4u; i++) {
    let base = t * 64u + i * 16u;
    let c0 = acc0[i];
    let c1 = acc1[i];
    let c2 = acc2[i];
    let c3 = acc3[i];
    part[base + 0u] = c0.x; part[base + 1u] = c0.y; part[base + 2u] = c0.z; part[base + 3u] = c0.w;
    part[base + 4u] = c1.x; part[base + 5u] = c1.y; part[base + 6u] = c1.z; part[base + 7u] = c1.w;
    part[base + 8u] = c2.x; part[base + 9u] = c2.y; part[base + 10u] = c2.z; part[base + 11u] = c2.w;
    part[base + 12u] = c3.x; part[base + 13u] = c3.y; part[base + 14u] = c3.z; part[base + 15u] = c3.w;
  }
  workgroupBarrier();
  let i = i0 + t / 16u;
  let j = j0 + t % 16u;
  if (i >= M || j >= N) { return; }
  var sum = 0.0;
  for (var s = 0u; s < THREADS; s++) {
    sum += part[s * 64u + t];
  }
  store_c(i, j, sum);
}
