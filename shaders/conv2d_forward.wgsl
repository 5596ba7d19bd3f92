// conv2d_forward.wgsl — the readable reference conv2d forward pass: one invocation per output value,
// the window read straight from the input batch (an implicit GEMM: no im2col buffer exists anywhere):
//   v[r][f, oy, ox] = b[f] + Σ_c Σ_ky Σ_kx W[f, c, ky, kx] · x[r][c, oy·SY + ky − padTop, ox·SX + kx − padLeft]
// (src/backend.ts Conv2dSpec; x is 0 outside the image). W is [F, C, KH, KW] as PyTorch keeps it, one
// filter per row of ldW floats. Bias and activation: conv2d_store.wgsl. The tuner times it against
// conv2d_forward_tiled.wgsl; it stays as the kernel the fast one is checked against.

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x; // (f·OH + oy)·OW + ox within the pattern's output row
  let r = batch_row(gid, win.rowsY);
  let P = win.OH * win.OW;
  if (j >= win.F * P || gid.y >= win.rowsY || r >= step.rows) { return; }
  let f = j / P;
  let p = j % P;
  let y0 = i32((p / win.OW) * win.SY) - i32(win.padTop);
  let x0 = i32((p % win.OW) * win.SX) - i32(win.padLeft);
  var sum = 0.0;
  for (var c = 0u; c < win.C; c++) {
    for (var ky = 0u; ky < win.KH; ky++) {
      for (var kx = 0u; kx < win.KW; kx++) {
        let at = window_at(win, c, y0 + i32(ky), x0 + i32(kx));
        if (at >= 0) {
          sum += X[r * win.ldIn + u32(at)] * weights[f * win.ldW + (c * win.KH + ky) * win.KW + kx];
        }
      }
    }
  }
  store_v(r, f, p, sum);
}
