// AssemblyScript, re-exported by dense-simd.as.ts: what the WebAssembly session does between layers of
// different kinds. NHWC ↔ NCHW (the session keeps images NHWC, the contract's flatten order is NCHW; see
// conv2d-simd.as.ts), and δ = f'(v)·e elementwise where the error did not come out of a kernel that fuses it.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** dst[n][(c·H + y)·W + x] = src[n][(y·W + x)·C + c] for patterns [from, to) (HW = H·W). */
export function nhwcToNchw(src: usize, dst: usize, HW: i32, C: i32, from: i32, to: i32): void {
  const image = HW * C;
  for (let n = from; n < to; n++) {
    const s = at(src, n * image);
    const d = at(dst, n * image);
    for (let p = 0; p < HW; p++) for (let c = 0; c < C; c++) store<f32>(at(d, c * HW + p), load<f32>(at(s, p * C + c)));
  }
}

/** the inverse of nhwcToNchw */
export function nchwToNhwc(src: usize, dst: usize, HW: i32, C: i32, from: i32, to: i32): void {
  const image = HW * C;
  for (let n = from; n < to; n++) {
    const s = at(src, n * image);
    const d = at(dst, n * image);
    for (let p = 0; p < HW; p++) for (let c = 0; c < C; c++) store<f32>(at(d, p * C + c), load<f32>(at(s, c * HW + p)));
  }
}

/**
 * δ = f'(v)·e for elements [from, to), act as dense-simd.as.ts numbers them: linear 0, sigmoid 1 (y(1−y)),
 * tanh 2 (1 − y²), relu 3 ([v > 0]), leakyRelu 4 (1 or α).
 */
export function derivativeTimes(e: usize, v: usize, y: usize, delta: usize, act: i32, alpha: f32, from: i32, to: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const ei = v128.load(at(e, i));
    let d = ei;
    if (act == 1) {
      const yi = v128.load(at(y, i));
      d = f32x4.mul(f32x4.mul(yi, f32x4.sub(one, yi)), ei);
    } else if (act == 2) {
      const yi = v128.load(at(y, i));
      d = f32x4.mul(f32x4.sub(one, f32x4.mul(yi, yi)), ei);
    } else if (act == 3 || act == 4) {
      const slope = act == 4 ? f32x4.splat(alpha) : zero;
      d = f32x4.mul(v128.bitselect(one, slope, f32x4.gt(v128.load(at(v, i)), zero)), ei);
    }
    v128.store(at(delta, i), d);
  }
  for (; i < to; i++) {
    const ei = load<f32>(at(e, i));
    let d = ei;
    if (act == 1) {
      const yi = load<f32>(at(y, i));
      d = yi * (1 - yi) * ei;
    } else if (act == 2) {
      const yi = load<f32>(at(y, i));
      d = (1 - yi * yi) * ei;
    } else if (act == 3 || act == 4) {
      d = (load<f32>(at(v, i)) > 0 ? <f32>1 : act == 4 ? alpha : 0) * ei;
    }
    store<f32>(at(delta, i), d);
  }
}
