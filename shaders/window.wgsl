// window.wgsl — the geometry of a window sliding over a batch of NCHW images, shared by the conv2d and
// pooling kernels (src/backend.ts Conv2dSpec / Pool2dSpec). One pattern's row of the batch holds a [C, H, W]
// image, pixel (c, y, x) at (c·H + y)·W + x; rows are padded to ldIn (ldOut) floats, as every batch is.
// Output pixel (o, oy, ox) looks at input rows y = oy·SY + ky − padTop, columns x = ox·SX + kx − padLeft
// for ky < KH, kx < KW; pixels outside the image read as 0. For pooling F = C and pad = 0.
// A batch may have more rows than one dispatch dimension allows (65,535 workgroups): the row-wise kernels
// spread rows over y and z, r = gid.y + gid.z·rowsY.

struct Window {
  C: u32,       // input channels
  H: u32,
  W: u32,
  F: u32,       // output channels (conv: filters; pooling: C)
  OH: u32,
  OW: u32,
  KH: u32,      // window (kernel or pool) height and width
  KW: u32,
  SY: u32,      // strides
  SX: u32,
  padTop: u32,
  padLeft: u32,
  ldIn: u32,    // row stride of the input batch (floats)
  ldOut: u32,   // row stride of the output batch
  ldW: u32,     // row stride of the conv weight matrix W [F, ldW] (K = C·KH·KW padded to 4); 0 for pooling
  rowsY: u32,   // batch rows per z slice of a dispatch
}

// The batch row a row-wise kernel's invocation works on.
fn batch_row(gid: vec3<u32>, rowsY: u32) -> u32 {
  return gid.y + gid.z * rowsY;
}

// Index of input pixel (c, y, x) within a pattern's row, or −1 outside the image (the zero padding).
fn window_at(s: Window, c: u32, y: i32, x: i32) -> i32 {
  if (y < 0 || x < 0 || y >= i32(s.H) || x >= i32(s.W)) { return -1; }
  return i32((c * s.H + u32(y)) * s.W + u32(x));
}
