// philox.wgsl — Philox4x32-10 (Salmon et al., SC 2011; Random123's constants), the same arithmetic as
// src/dropout-mask.ts, so the GPU drops exactly the units the CPU drops. WGSL has no 64-bit integers: the
// high word of a 32×32-bit product is built from 16-bit halves, as the TypeScript does with doubles.
//   key     = [seed, layer]         the model's seed and the dropout layer's position in the list
//   counter = [element, t, 0, 0]    element = r·units + k within the batch, t = updates before this step
// A unit is kept when (w0 >> 8) ≥ threshold (= dropoutThreshold(rate), an integer comparison).

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// The high 32 bits of the 64-bit product a·b.
fn mul_hi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let p0 = al * bl;
  let p1 = al * bh;
  let p2 = ah * bl;
  let p3 = ah * bh;
  let mid = (p0 >> 16u) + (p1 & 0xffffu) + (p2 & 0xffffu);
  return p3 + (p1 >> 16u) + (p2 >> 16u) + (mid >> 16u);
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = mul_hi(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = mul_hi(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// Whether element `e` of the batch survives dropout layer `layer` of a model seeded `seed` at update count t.
fn dropout_keeps(seed: u32, layer: u32, t: u32, e: u32, threshold: u32) -> bool {
  let w = philox4x32(vec4<u32>(e, t, 0u, 0u), vec2<u32>(seed, layer));
  return (w.x >> 8u) >= threshold;
}

// The uniform of the dropout kernels (dropout_forward.wgsl, dropout_backward.wgsl).
struct Dropout {
  units: u32,      // per-pattern width
  ld: u32,         // padded row stride of x, y and δ
  seed: u32,
  layer: u32,
  threshold: u32,  // dropoutThreshold(rate)
  scale: f32,      // dropoutScale(rate)
  rowsY: u32,      // batch rows per z slice of the dispatch
  pad0: u32,
}
