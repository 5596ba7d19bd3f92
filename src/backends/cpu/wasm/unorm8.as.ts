// AssemblyScript, re-exported by dense-simd.as.ts (compiled with it by bin/embed-assets.js): widens a batch
// of 8-bit pixels to float32, b → b / 255, for the CPU session's byte data sets (src/backends/cpu/wasm/gather.ts).
//
// Why this equals the host's UNORM8 table (src/backends/upload.ts) bit for bit: b and 255 are exact in
// float32, and IEEE division is correctly rounded, so f32.div gives float32(b / 255) rounded once. The table
// is Math.fround(b / 255), rounded twice (float64, then float32), and a quotient rounded to 53 bits and then
// to 24 equals the one rounded to 24 directly (53 ≥ 2·24 + 2). test/cpu-wasm-kernels.test.ts checks all 256.

/**
 * dst[i] = src[i] / 255 for i in [0, n): src is n bytes, dst n float32 values, both byte addresses in the
 * memory. 16 pixels a step (u8 → u16 → u32 lanes, converted and divided 4 at a time; a step of 16 zeros
 * just stores zeros), the last n % 16 one by one, so nothing past dst[n − 1] is written (the next region of
 * the arena starts there).
 */
export function widenUnorm8(src: usize, dst: usize, n: i32): void {
  const scale = f32x4.splat(255);
  const whole = n & ~15;
  let i = 0;
  for (; i < whole; i += 16) {
    const b = v128.load(src + <usize>i);
    const out = dst + (<usize>i << 2);
    if (!v128.any_true(b)) {
      // 16 zero pixels (most of an MNIST digit's border): 0 / 255 = +0, stored without dividing
      const zero = f32x4.splat(0);
      v128.store(out, zero);
      v128.store(out, zero, 16);
      v128.store(out, zero, 32);
      v128.store(out, zero, 48);
      continue;
    }
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), scale));
    v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), scale), 16);
    v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), scale), 32);
    v128.store(out, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), scale), 48);
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) / <f32>255);
}
