// matmul_tiled.wgsl — tiled matrix product for real GPUs: a workgroup of 8×8 invocations stages a
// 32-term slice of a 32×32 tile of A' and B' in workgroup memory, then each invocation accumulates a 4×4
// register block from it (16 FMAs per two vec4 reads of workgroup memory). Same contract and FORMs as
// matmul_naive.wgsl, same zero-padded-rows invariant as matmul_regblock.wgsl.
//
// Staging transposes where needed: both tiles are stored term-major (As[r][i], Bs[r][j]) as vec4s over
// i and j, so the inner loop is the same outer product for every FORM. Two barriers per 32 terms.

override FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const T: u32 = 32u;      // tile edge (outputs) and terms per stage
const T4: u32 = 8u;      // T / 4
var<workgroup> As: array<vec4<f32>, 256>; // As[r * T4 + i/4][i % 4] = A'(tileI + i, k0 + r)
var<workgroup> Bs: array<vec4<f32>, 256>; // Bs[r * T4 + j/4][j % 4] = B'(k0 + r, tileJ + j)

const ZERO4 = vec4<f32>(0.0);

// Stages A'(tileI.., k0..) into As. 256 vec4 per tile, 64 invocations: 4 each.
fn stage_a(t: u32, tileI: u32, k0: u32, M: u32, R: u32) {
  let lda4 = dims.ldA / 4u;
  for (var q = 0u; q < 4u; q++) {
    let idx = t + 64u * q;
    if (FORM == 2u) {
      // A stored R × M: rows are terms, vec4 over i — copy as is
      let r = idx / T4;
      let i4 = idx % T4;
      let ok = k0 + r < R && tileI + i4 * 4u < M;
      As[idx] = select(ZERO4, A[(k0 + r) * lda4 + tileI / 4u + i4], ok);
    } else {
      // A stored M × R: vec4 over r — scatter into 4 term rows
      let i = idx / T4;
      let r4 = idx % T4;
      let ok = tileI + i < M && k0 + r4 * 4u < R;
      let v = select(ZERO4, A[(tileI + i) * lda4 + k0 / 4u + r4], ok);
      let base = (r4 * 4u) * T4 + i / 4u;
      As[base][i % 4u] = v.x;
      As[base + T4][i % 4u] = v.y;
      As[base + 2u * T4][i % 4u] = v.z;
      As[base + 3u * T4][i % 4u] = v.w;
    }
  }
}

// Stages B'(k0.., tileJ..) into Bs.
fn stage_b(t: u32, tileJ: u32, k0: u32, N: u32, R: u32) {
  let ldb4 = dims.ldB / 4u;
  for (var q = 0u; q < 4u; q++) {
    let idx = t + 64u * q;
    if (FORM == 0u) {
      // B stored N × R: vec4 over r — scatter
      let j = idx / T4;
      let r4 = idx % T4;
      let ok = tileJ + j < N && k0 + r4 * 4u < R;
      let v = select(ZERO4, B[(tileJ + j) * ldb4 + k0 / 4u + r4], ok);
      let base = (r4 * 4u) * T4 + j / 4u;
      Bs[base][j % 4u] = v.x;
      Bs[base + T4][j % 4u] = v.y;
      Bs[base + 2u * T4][j % 4u] = v.z;
      Bs[base + 3u * T4][j % 4u] = v.w;
    } else {
      let r = idx / T4;
      let j4 = idx % T4;
      let ok = k0 + r < R && tileJ + j4 * 4u < N;
      Bs[idx] = select(ZERO4, B[(k0 + r) * ldb4 + tileJ / 4u + j4], ok);
    }
  }
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  let tileI = wg.y * T;
  let tileJ = wg.x * T;
  // every invocation must reach the barriers, so out-of-range ones compute and skip the store
  var acc: array<vec4<f32>, 4>; // acc[i] = C row (tileI + 4·lid.y + i), columns tileJ + 4·lid.x ..
  for (var k0 = 0u; k0 < R; k0 += T) {
    stage_a(t, tileI, k0, M, R);
    stage_b(t, tileJ, k0, N, R);
    workgroupBarrier();
    for (var r = 0u; r < T; r++) {
      let a = As[r * T4 + lid.y];
      let b = Bs[r * T4 + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let i0 = tileI + lid.y * 4u;
  let j0 = tileJ + lid.x * 4u;
  for (var i = 0u; i < 4u; i++) {
    if (i0 + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (j0 + j < N) { store_c(i0 + i, j0 + j, acc[i][j]); }
    }
  }
}
