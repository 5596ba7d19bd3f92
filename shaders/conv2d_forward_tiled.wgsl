// conv2d_forward_tiled.wgsl — the conv2d forward pass as a tiled implicit GEMM, for real GPUs:
//   V (G × F) = A (G × K) · Wᵀ,   G = rows·OH·OW output positions, K = C·KH·KW terms (c, ky, kx)
// where A's row for position g = (r, oy, ox) is that position's input window, gathered from the batch
// while staging (no im2col buffer exists in GPU memory). A workgroup of 8×8 invocations computes a tile of
// 32 positions × 32 filters, each invocation a 4×4 register block, from 16-term slices of A and W staged in
// workgroup memory: consecutive invocations load consecutive positions (neighbouring pixels) of A and
// consecutive terms of a filter's row of W, so both loads coalesce. Same result as conv2d_forward.wgsl up
// to the order of the sum; the epilogue is conv2d_store.wgsl. Tiles spread over y and z (rowsY: tiles per
// z slice), as batches of 60,000 rows have more tiles than one dispatch dimension allows.

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;

const TG: u32 = 32u; // output positions per tile
const TF: u32 = 32u; // filters per tile
const TK: u32 = 16u; // terms per stage
var<workgroup> As: array<f32, 512>; // As[k·TG + g] = A(tileG + g, k0 + k)
var<workgroup> Bs: array<f32, 512>; // Bs[k·TF + f] = W[tileF + f][k0 + k]

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let P = win.OH * win.OW;
  let G = step.rows * P;
  let KK = win.KH * win.KW;
  let K = win.C * KK;
  let tileG = (wg.y + wg.z * win.rowsY) * TG;
  let tileF = wg.x * TF;
  // every invocation must reach the barriers, so a tile past the batch computes zeros and stores nothing
  var acc: array<vec4<f32>, 4>; // acc[i][j]: position tileG + 4·lid.y + i, filter tileF + 4·lid.x + j
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var q = 0u; q < 8u; q++) {
      let idx = t + 64u * q;
      // A: consecutive invocations take consecutive positions (one term)
      let g = tileG + idx % TG;
      let ka = k0 + idx / TG;
      var a = 0.0;
      if (g < G && ka < K) {
        let r = g / P;
        let p = g % P;
        let c = ka / KK;
        let ky = (ka % KK) / win.KW;
        let kx = ka % win.KW;
        let at = window_at(win, c, i32((p / win.OW) * win.SY + ky) - i32(win.padTop), i32((p % win.OW) * win.SX + kx) - i32(win.padLeft));
        if (at >= 0) { a = X[r * win.ldIn + u32(at)]; }
      }
      As[idx] = a;
      // W: consecutive invocations take consecutive terms of one filter
      let kb = idx % TK;
      let f = tileF + idx / TK;
      var b = 0.0;
      if (f < win.F && k0 + kb < K) { b = weights[f * win.ldW + k0 + kb]; }
      Bs[kb * TF + idx / TK] = b;
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let ga = k * TG + 4u * lid.y;
      let fb = k * TF + 4u * lid.x;
      let b = vec4<f32>(Bs[fb], Bs[fb + 1u], Bs[fb + 2u], Bs[fb + 3u]);
      acc[0] += As[ga] * b;
      acc[1] += As[ga + 1u] * b;
      acc[2] += As[ga + 2u] * b;
      acc[3] += As[ga + 3u] * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let g = tileG + 4u * lid.y + i;
    if (g >= G) { break; }
    for (var j = 0u; j < 4u; j++) {
      let f = tileF + 4u * lid.x + j;
      if (f < win.F) { store_v(g / P, f, g % P, acc[i][j]); }
    }
  }
}
