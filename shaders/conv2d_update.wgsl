// conv2d_update.wgsl — a conv2d layer's filter gradient with the optimizer fused, as the dense weight update
// (epilogue_update.wgsl) does: one invocation per weight W[f, c, ky, kx] sums the deltas of its filter times
// the input pixels its tap saw, over the batch and every output position,
//   G[f, c, ky, kx] = Σ_r Σ_oy Σ_ox δ[r][f, oy, ox] · x[r][c, oy·SY + ky − padTop, ox·SX + kx − padLeft]
// (a GEMM of deltas by windows), averages over the batch, D = G / rows (the downhill weight change), and
// hands D straight to the optimizer (optimizer.wgsl): the gradient is never written to memory.

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> Mst: array<f32>;
@group(0) @binding(6) var<storage, read_write> Vst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let KK = win.KH * win.KW;
  let k = gid.x; // (c·KH + ky)·KW + kx
  let f = gid.y;
  if (k >= win.C * KK || f >= win.F) { return; }
  let c = k / KK;
  let ky = (k % KK) / win.KW;
  let kx = k % win.KW;
  var s = 0.0;
  for (var r = 0u; r < step.rows; r++) {
    for (var oy = 0u; oy < win.OH; oy++) {
      for (var ox = 0u; ox < win.OW; ox++) {
        let at = window_at(win, c, i32(oy * win.SY + ky) - i32(win.padTop), i32(ox * win.SX + kx) - i32(win.padLeft));
        if (at >= 0) {
          s += delta[r * win.ldOut + (f * win.OH + oy) * win.OW + ox] * X[r * win.ldIn + u32(at)];
        }
      }
    }
  }
  let o = f * win.ldW + k;
  var m = 0.0;
  var v = 0.0;
  if (OPTIMIZER != 0u) { m = Mst[o]; }
  if (OPTIMIZER == 2u) { v = Vst[o]; }
  let u = optimize(weights[o], s / f32(step.rows), hyper.l2, m, v, step.t);
  weights[o] = u.p;
  if (OPTIMIZER != 0u) { Mst[o] = u.m; }
  if (OPTIMIZER == 2u) { Vst[o] = u.v; }
}
