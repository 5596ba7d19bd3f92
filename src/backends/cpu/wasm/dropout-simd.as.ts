// AssemblyScript, re-exported by dense-simd.as.ts: inverted dropout for the WebAssembly session, with the
// mask of src/dropout-mask.ts (Philox4x32-10, key [seed, layer], counter [element, t, 0, 0], keep when the
// top 24 bits of the first word are ≥ the threshold), computed here so a batch's mask costs no JavaScript.
// test/cpu-wasm-conv.test.ts checks it against dropoutKeeps element by element.
//
// Elements are numbered as the contract numbers them, element = r·units + k with k the NCHW index, whatever
// the layout the session keeps: the kernel walks an NHWC [H, W, C] pattern and computes k = (c·H + y)·W + x
// (a flat pattern is H = 1, C = 1).

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** The first output word of Philox4x32-10 for counter [c0, c1, 0, 0] and key [k0, k1]. */
@inline function philoxFirst(c0: u32, c1: u32, k0: u32, k1: u32): u32 {
  let c2: u32 = 0;
  let c3: u32 = 0;
  for (let round = 0; round < 10; round++) {
    const p0 = <u64>0xd2511f53 * <u64>c0;
    const p1 = <u64>0xcd9e8d57 * <u64>c2;
    const n0 = <u32>(p1 >> 32) ^ c1 ^ k0;
    const n2 = <u32>(p0 >> 32) ^ c3 ^ k1;
    c1 = <u32>p1;
    c3 = <u32>p0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9e3779b9;
    k1 += 0xbb67ae85;
  }
  return c0;
}

/** mask and y for one element q (NHWC position) whose Philox word is `word` */
@inline function keepOrDrop(x: usize, y: usize, mask: usize, q: i32, word: u32, threshold: u32, scale: f32): void {
  const keep = word >>> 8 >= threshold;
  store<f32>(at(mask, q), keep ? scale : 0);
  store<f32>(at(y, q), keep ? load<f32>(at(x, q)) * scale : 0);
}

/** philoxFirst for four counters [c0 lanes, c1, 0, 0] at once (i64x2.extmul is x86's pmuludq) */
@inline function philoxFirst4(c0: v128, c1u: u32, k0u: u32, k1u: u32): v128 {
  let c1 = i32x4.splat(c1u);
  let c2 = i32x4.splat(0);
  let c3 = i32x4.splat(0);
  let k0 = k0u;
  let k1 = k1u;
  const m0 = i32x4.splat(0xd2511f53);
  const m1 = i32x4.splat(0xcd9e8d57);
  for (let round = 0; round < 10; round++) {
    // the four 32×32 → 64-bit products, split into their high and low words (no arrays here: the stub
    // runtime would allocate them in the session's memory)
    const a01 = i64x2.extmul_low_i32x4_u(c0, m0);
    const a23 = i64x2.extmul_high_i32x4_u(c0, m0);
    const b01 = i64x2.extmul_low_i32x4_u(c2, m1);
    const b23 = i64x2.extmul_high_i32x4_u(c2, m1);
    const n0 = v128.xor(v128.xor(v128.shuffle<i32>(b01, b23, 1, 3, 5, 7), c1), i32x4.splat(k0));
    const n2 = v128.xor(v128.xor(v128.shuffle<i32>(a01, a23, 1, 3, 5, 7), c3), i32x4.splat(k1));
    c1 = v128.shuffle<i32>(b01, b23, 0, 2, 4, 6);
    c3 = v128.shuffle<i32>(a01, a23, 0, 2, 4, 6);
    c0 = n0;
    c2 = n2;
    k0 += 0x9e3779b9;
    k1 += 0xbb67ae85;
  }
  return c0;
}

/**
 * For patterns [from, to): mask = scale where the element is kept, else 0; y = x·scale where kept, else +0.
 * The mask is kept for the backward pass (dropoutBackward), so Philox runs once a step. Elements go 4 at a
 * time through a SIMD Philox where 4 consecutive NHWC values have element numbers in a fixed step: 4 channels
 * of a pixel (C multiple of 4: step H·W) or 4 pixels of a row-major map (C = 1: step 1); other channel counts
 * one by one.
 */
export function dropoutForward(x: usize, y: usize, mask: usize, H: i32, W: i32, C: i32, seed: u32, layer: u32, t: u32, threshold: u32, scale: f32, from: i32, to: i32): void {
  const units = H * W * C;
  const HW = H * W;
  const zero = f32x4.splat(0);
  const scales = f32x4.splat(scale);
  const limit = i32x4.splat(threshold);
  for (let r = from; r < to; r++) {
    const base = r * units;
    if ((C & 3) == 0 || C == 1) {
      const step = C == 1 ? 1 : HW;
      const lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(step));
      for (let q = base; q + 4 <= base + units; q += 4) {
        const o = q - base;
        const pixel = C == 1 ? o : o / C;
        const c = C == 1 ? 0 : o - pixel * C;
        const words = philoxFirst4(i32x4.add(i32x4.splat(base + c * HW + pixel), lanes), t, seed, layer);
        const keep = i32x4.ge_u(i32x4.shr_u(words, 8), limit);
        v128.store(at(mask, q), v128.bitselect(scales, zero, keep));
        v128.store(at(y, q), v128.bitselect(f32x4.mul(v128.load(at(x, q)), scales), zero, keep));
      }
      // C = 1 and units % 4: the last pixels one by one
      for (let q = base + (units & ~3); q < base + units; q++) keepOrDrop(x, y, mask, q, philoxFirst(<u32>q, t, seed, layer), threshold, scale);
      continue;
    }
    let q = base;
    for (let iy = 0; iy < H; iy++) {
      for (let ix = 0; ix < W; ix++) {
        for (let c = 0; c < C; c++) {
          keepOrDrop(x, y, mask, q, philoxFirst(<u32>(base + (c * H + iy) * W + ix), t, seed, layer), threshold, scale);
          q++;
        }
      }
    }
  }
}

/** e_in = e·scale where kept, +0 where dropped (mask from dropoutForward), elements [from, to). */
export function dropoutBackward(e: usize, mask: usize, out: usize, from: i32, to: i32): void {
  const zero = f32x4.splat(0);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const m = v128.load(at(mask, i));
    v128.store(at(out, i), v128.bitselect(f32x4.mul(v128.load(at(e, i)), m), zero, f32x4.ne(m, zero)));
  }
  for (; i < to; i++) {
    const m = load<f32>(at(mask, i));
    store<f32>(at(out, i), m != 0 ? load<f32>(at(e, i)) * m : 0);
  }
}
