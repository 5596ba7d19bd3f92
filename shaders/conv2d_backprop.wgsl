// conv2d_backprop.wgsl — the error a conv2d layer sends to its input (a transposed convolution), with the
// layer below's f' fused, as the dense backprop epilogue does (epilogue_backprop.wgsl):
//   e[r][c, y, x] = Σ_f Σ_ky Σ_kx δ[r][f, oy, ox] · W[f, c, ky, kx]   over the (oy, ox) whose window reads (y, x):
//                   y = oy·SY + ky − padTop,  x = ox·SX + kx − padLeft
//   δ_prev[r][c, y, x] = f'(v_prev, y_prev) · e
// One invocation per input pixel gathers its sum (no atomics, no scatter). W is the layer's weights BEFORE
// this step's update: every delta of a step is encoded before any update.

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;
@group(0) @binding(4) var<storage, read> Vprev: array<f32>;
@group(0) @binding(5) var<storage, read> Yprev: array<f32>;
@group(0) @binding(6) var<storage, read_write> deltaPrev: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x; // (c·H + y)·W + x within the pattern's input row
  let r = batch_row(gid, win.rowsY);
  let HW = win.H * win.W;
  if (j >= win.C * HW || gid.y >= win.rowsY || r >= step.rows) { return; }
  let c = j / HW;
  let y = i32((j % HW) / win.W);
  let x = i32(j % win.W);
  var e = 0.0;
  for (var ky = 0u; ky < win.KH; ky++) {
    let ny = y + i32(win.padTop) - i32(ky); // = oy·SY
    if (ny < 0 || u32(ny) % win.SY != 0u || u32(ny) / win.SY >= win.OH) { continue; }
    let oy = u32(ny) / win.SY;
    for (var kx = 0u; kx < win.KW; kx++) {
      let nx = x + i32(win.padLeft) - i32(kx);
      if (nx < 0 || u32(nx) % win.SX != 0u || u32(nx) / win.SX >= win.OW) { continue; }
      let ox = u32(nx) / win.SX;
      for (var f = 0u; f < win.F; f++) {
        e += delta[r * win.ldOut + (f * win.OH + oy) * win.OW + ox] * weights[f * win.ldW + (c * win.KH + ky) * win.KW + kx];
      }
    }
  }
  let o = r * win.ldIn + j;
  deltaPrev[o] = derivative(Vprev[o], Yprev[o]) * e;
}
