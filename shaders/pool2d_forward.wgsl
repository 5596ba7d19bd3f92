// pool2d_forward.wgsl — max or average pooling (src/backend.ts Pool2dSpec), no padding: one invocation per
// output value,
//   MAX   y[r][c, oy, ox] = max over the KH×KW window at (oy·SY, ox·SX)
//   else  y[r][c, oy, ox] = (Σ over the window) / (KH·KW)
// Pooling has no activation, so the layer's V is its Y (one buffer). Max pooling keeps no argmax: the
// backward pass (pool2d_backward.wgsl) finds the window's first maximum again from the same input.

override MAX: bool = true;

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x; // (c·OH + oy)·OW + ox
  let r = batch_row(gid, win.rowsY);
  let P = win.OH * win.OW;
  if (j >= win.F * P || gid.y >= win.rowsY || r >= step.rows) { return; }
  let c = j / P;
  let p = j % P;
  let row = r * win.ldIn + c * win.H * win.W;
  let y0 = (p / win.OW) * win.SY;
  let x0 = (p % win.OW) * win.SX;
  var best = X[row + y0 * win.W + x0];
  var sum = 0.0;
  for (var ky = 0u; ky < win.KH; ky++) {
    for (var kx = 0u; kx < win.KW; kx++) {
      let v = X[row + (y0 + ky) * win.W + x0 + kx];
      best = max(best, v);
      sum += v;
    }
  }
  Y[r * win.ldOut + j] = select(sum / f32(win.KH * win.KW), best, MAX);
}
