// matmul_tiled64.wgsl — larger shared-memory tiles for hardware GPUs: a workgroup of 16×8 invocations
// computes a 64×64 tile of C, each invocation an 8×4 register block (8 rows, 4 columns as one vec4), from
// 16-term slices of A' and B' staged in workgroup memory with vec4 loads. Against matmul_tiled.wgsl
// (32×32, 4×4 per invocation): twice the outputs per invocation and 4× per workgroup, so each staged value
// is reused 64 times instead of 32 — the shape wgpu-mm and tfjs-backend-webgpu's matmul programs use on
// GPUs with fast shared memory. Same contract, FORMs and zero-padded-rows invariant as the other kernels.

override FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const TILE: u32 = 64u;   // output rows and columns per workgroup
const TILE4: u32 = 16u;  // TILE / 4
const TERMS: u32 = 16u;  // terms staged per round
const THREADS: u32 = 128u;
var<workgroup> As: array<vec4<f32>, 256>; // As[r * TILE4 + i/4][i % 4] = A'(tileI + i, k0 + r)
var<workgroup> Bs: array<vec4<f32>, 256>; // Bs[r * TILE4 + j/4][j % 4] = B'(k0 + r, tileJ + j)

const ZERO4 = vec4<f32>(0.0);

// 64 rows × 16 terms = 256 vec4 per operand, 2 per invocation.
fn stage_a(t: u32, tileI: u32, k0: u32, M: u32, R: u32) {
  let lda4 = dims.ldA / 4u;
  for (var q = 0u; q < 2u; q++) {
    let idx = t + THREADS * q;
    if (FORM == 2u) {
      // A stored R × M: rows are terms, vec4 over i — copy as is
      let r = idx / TILE4;
      let i4 = idx % TILE4;
      let ok = k0 + r < R && tileI + i4 * 4u < M;
      As[idx] = select(ZERO4, A[(k0 + r) * lda4 + tileI / 4u + i4], ok);
    } else {
      // A stored M × R: vec4 over r — scatter into 4 term rows
      let i = idx / 4u;
      let r4 = idx % 4u;
      let ok = tileI + i < M && k0 + r4 * 4u < R;
      let v = select(ZERO4, A[(tileI + i) * lda4 + k0 / 4u + r4], ok);
      let base = (r4 * 4u) * TILE4 + i / 4u;
      As[base][i % 4u] = v.x;
      As[base + TILE4][i % 4u] = v.y;
      As[base + 2u * TILE4][i % 4u] = v.z;
      As[base + 3u * TILE4][i % 4u] = v.w;
    }
  }
}

fn stage_b(t: u32, tileJ: u32, k0: u32, N: u32, R: u32) {
  let ldb4 = dims.ldB / 4u;
  for (var q = 0u; q < 2u; q++) {
    let idx = t + THREADS * q;
    if (FORM == 0u) {
      // B stored N × R: vec4 over r — scatter
      let j = idx / 4u;
      let r4 = idx % 4u;
      let ok = tileJ + j < N && k0 + r4 * 4u < R;
      let v = select(ZERO4, B[(tileJ + j) * ldb4 + k0 / 4u + r4], ok);
      let base = (r4 * 4u) * TILE4 + j / 4u;
      Bs[base][j % 4u] = v.x;
      Bs[base + TILE4][j % 4u] = v.y;
      Bs[base + 2u * TILE4][j % 4u] = v.z;
      Bs[base + 3u * TILE4][j % 4u] = v.w;
    } else {
      let r = idx / TILE4;
      let j4 = idx % TILE4;
      let ok = k0 + r < R && tileJ + j4 * 4u < N;
      Bs[idx] = select(ZERO4, B[(k0 + r) * ldb4 + tileJ / 4u + j4], ok);
    }
  }
}

@compute @workgroup_size(16, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  let tileI = wg.y * TILE;
  let tileJ = wg.x * TILE;
  // every invocation must reach the barriers, so out-of-range ones compute and skip the store
  var acc: array<vec4<f32>, 8>; // acc[i] = C row (tileI + 8·lid.y + i), columns tileJ + 4·lid.x ..
  for (var k0 = 0u; k0 < R; k0 += TERMS) {
    stage_a(t, tileI, k0, M, R);
    stage_b(t, tileJ, k0, N, R);
    workgroupBarrier();
    for (var r = 0u; r < TERMS; r++) {
      let a0 = As[r * TILE4 + lid.y * 2u];
      let a1 = As[r * TILE4 + lid.y * 2u + 1u];
      let b = Bs[r * TILE4 + lid.x];
      acc[0] += a0.x * b;
      acc[1] += a0.y * b;
      acc[2] += a0.z * b;
      acc[3] += a0.w * b;
      acc[4] += a1.x * b;
      acc[5] += a1.y * b;
      acc[6] += a1.z * b;
      acc[7] += a1.w * b;
    }
    workgroupBarrier();
  }
  let i0 = tileI + lid.y * 8u;
  let j0 = tileJ + lid.x * 4u;
  for (var i = 0u; i < 8u; i++) {
    if (i0 + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (j0 + j < N) { store_c(i0 + i, j0 + j, acc[i][j]); }
    }
  }
}
