// pool2d_backward.wgsl — the error a pooling layer sends to its input, with the layer below's f' fused:
//   max   e[r][c, y, x] = Σ δ[r][c, oy, ox] over the windows (oy, ox) whose FIRST maximum (row-major order
//         within the window, the CPU's rule) is pixel (y, x)
//   avg   e[r][c, y, x] = Σ δ[r][c, oy, ox] / (KH·KW) over the windows that contain (y, x)
//   δ_prev[r][c, y, x] = f'(v_prev, y_prev) · e
// One invocation per input pixel gathers from the windows over it (overlapping windows, stride < size, are
// summed); nothing was stored by the forward pass: each window's first maximum is found again in y_prev,
// which is the pooling layer's input.

override MAX: bool = true;

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<uniform> win: Window;
@group(0) @binding(3) var<storage, read> step: Step;
@group(0) @binding(4) var<storage, read> Vprev: array<f32>;
@group(0) @binding(5) var<storage, read> Yprev: array<f32>;
@group(0) @binding(6) var<storage, read_write> deltaPrev: array<f32>;

// The index within the pattern's input row of window (oy, ox)'s first maximum.
fn first_max(row: u32, c: u32, oy: u32, ox: u32) -> u32 {
  let base = c * win.H * win.W + (oy * win.SY) * win.W + ox * win.SX;
  var at = base;
  var best = Yprev[row + base];
  for (var ky = 0u; ky < win.KH; ky++) {
    for (var kx = 0u; kx < win.KW; kx++) {
      let k = base + ky * win.W + kx;
      let v = Yprev[row + k];
      if (v > best) { best = v; at = k; }
    }
  }
  return at;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x; // (c·H + y)·W + x
  let r = batch_row(gid, win.rowsY);
  let HW = win.H * win.W;
  if (j >= win.C * HW || gid.y >= win.rowsY || r >= step.rows) { return; }
  let c = j / HW;
  let y = (j % HW) / win.W;
  let x = j % win.W;
  // the windows over (y, x): oy·SY ≤ y < oy·SY + KH, likewise for x
  let oyLo = select(0u, (y + 1u - win.KH + win.SY - 1u) / win.SY, y + 1u > win.KH);
  let oxLo = select(0u, (x + 1u - win.KW + win.SX - 1u) / win.SX, x + 1u > win.KW);
  let oyHi = min(win.OH, y / win.SY + 1u);
  let oxHi = min(win.OW, x / win.SX + 1u);
  let row = r * win.ldIn;
  var e = 0.0;
  for (var oy = oyLo; oy < oyHi; oy++) {
    for (var ox = oxLo; ox < oxHi; ox++) {
      let d = delta[r * win.ldOut + (c * win.OH + oy) * win.OW + ox];
      if (MAX) {
        if (first_max(row, c, oy, ox) == j) { e += d; }
      } else {
        e += d / f32(win.KH * win.KW);
      }
    }
  }
  let o = row + j;
  deltaPrev[o] = derivative(Vprev[o], Yprev[o]) * e;
}
