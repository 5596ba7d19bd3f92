// AssemblyScript, re-exported by dense-simd.as.ts (compiled with it by bin/embed-assets.js): the pieces the
// CPU session's conv2d layer needs besides the dense GEMM kernels (src/backends/cpu/wasm/conv2d.ts wires them).
//
// Layout. Inside the WebAssembly session images are NHWC (channels innermost), not the contract's NCHW: then a
// patch of the image is kh runs of kw·C contiguous floats, the patch matrix ("im2col") has one row per output
// pixel, and the convolution IS dense.ts's product v = x·Wᵀ + b with x = the patch rows (N·OH·OW of them),
// inputs = K = kh·kw·C and W = the filters [F, kh, kw, C] (PyTorch's [F, C, kh, kw] permuted once on load).
// The dense kernels (forward, backprop, fused weightUpdate) then run unchanged, register-blocked, threaded, and
// their output v [N·OH·OW, F] is the next NHWC image. The session turns NHWC back into NCHW at a flatten.
//
// `convDirect` computes the same forward pass without the patch matrix (vectors along the filters, 4 pixels ×
// 8 filters a tile), kept for the measurement that chose between the two (see conv2d.ts and the report in the
// commit that added it).
//
// Determinism. Every output element's sum runs in the same order whatever part [from, to) of the rows (or
// samples) a thread is given, so results do not depend on the thread count.

import { CFG_DECAY, update1, update4 } from './optimizer-step.as';

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** dst[0..n) = src[0..n), 4 floats a step and the rest one by one (spans are short: kw·C floats). */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
}

@inline function zeroFloats(dst: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), z);
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

/** dst[0..n) += src[0..n) */
@inline function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

/**
 * The patch matrix: row r = n·OH·OW + oy·OW + ox (rows [from, to)) holds the K = kh·kw·C inputs output pixel
 * (oy, ox) of sample n sees, in the order (ky, kx, c), zeros where the window hangs over the padding. Each
 * row is `stride` floats apart (stride ≥ K; the columns past K stay as the caller left them, zero).
 */
export function im2col(x: usize, col: usize, H: i32, W: i32, C: i32, kh: i32, kw: i32, sy: i32, sx: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, stride: i32, from: i32, to: i32, list: usize): void {
  const P = OH * OW;
  const span = kw * C;
  for (let r = from; r < to; r++) {
    const n = r / P;
    const p = r - n * P;
    const oy = p / OW;
    const ox = p - oy * OW;
    const xs = at(x, n * H * W * C);
    const iy0 = oy * sy - padTop;
    const ix0 = ox * sx - padLeft;
    const inside = ix0 >= 0 && ix0 + kw <= W;
    let dst = at(col, r * stride);
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky;
      if (iy < 0 || iy >= H) {
        zeroFloats(dst, span);
      } else if (inside) {
        copyFloats(dst, at(xs, (iy * W + ix0) * C), span);
      } else {
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          if (ix < 0 || ix >= W) zeroFloats(at(dst, kx * C), C);
          else copyFloats(at(dst, kx * C), at(xs, (iy * W + ix) * C), C);
        }
      }
      dst = at(dst, span);
    }
  }
}

/**
 * The inverse scatter, for the input gradient: for samples [from, to), e[n] = Σ over output pixels and (ky, kx)
 * of the patch-error rows ecol (as im2col lays them out, `stride` floats apart) added back where im2col read
 * them. Pixels in row-major order, then (ky, kx), so every e element sums its terms in one fixed order.
 */
export function col2im(ecol: usize, e: usize, H: i32, W: i32, C: i32, kh: i32, kw: i32, sy: i32, sx: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, stride: i32, from: i32, to: i32, list: usize): void {
  const P = OH * OW;
  const image = H * W * C;
  for (let n = from; n < to; n++) {
    const es = at(e, n * image);
    zeroFloats(es, image);
    for (let p = 0; p < P; p++) {
      const oy = p / OW;
      const ox = p - oy * OW;
      const iy0 = oy * sy - padTop;
      const ix0 = ox * sx - padLeft;
      const src = at(ecol, (n * P + p) * stride);
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          if (ix < 0 || ix >= W) continue;
          addFloats(at(es, (iy * W + ix) * C), at(src, (ky * kw + kx) * C), C);
        }
      }
    }
  }
}

@inline function activate(s: f32, act: i32, alpha: f32): f32 {
  if (act == 3) return s > 0 ? s : 0;
  if (act == 4) return s > 0 ? s : alpha * s;
  return s;
}

@inline function activate4(s: v128, act: i32, alpha: f32): v128 {
  if (act == 3) return v128.bitselect(s, f32x4.splat(0), f32x4.gt(s, f32x4.splat(0))); // as s > 0 ? s : 0, NaN included
  if (act == 4) return v128.bitselect(s, f32x4.mul(s, f32x4.splat(alpha)), f32x4.gt(s, f32x4.splat(0)));
  return s;
}

/** the address of input pixel (iy, ix) of the sample at xs, or of `zeros` (C zero floats) in the padding */
@inline function pixel(xs: usize, iy: i32, ix: i32, H: i32, W: i32, C: i32, zeros: usize): usize {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? at(xs, (iy * W + ix) * C) : zeros;
}

/**
 * Direct convolution (no patch matrix), NHWC: v[r, f] = b[f] + Σ_(ky,kx,c) x[n, iy, ix, c]·Wt[(ky,kx,c), f] for
 * output rows r in [from, to), y = f(v) for linear/relu/leakyRelu (act −1: v only). Wt is the filters
 * transposed, [K, F] (vectors along F). Tiles of 4 pixels × 8 filters; F must be a multiple of 4. `zeros` is
 * C zero floats standing in for padding pixels.
 */
export function convDirect(Wt: usize, b: usize, x: usize, v: usize, y: usize, H: i32, W: i32, C: i32, F: i32, kh: i32, kw: i32, sy: i32, sx: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, hasBias: i32, act: i32, alpha: f32, zeros: usize, from: i32, to: i32): void {
  const P = OH * OW;
  const last = to - 1;
  const image = H * W * C;
  for (let r = from; r < to; r += 4) {
    const r1 = min(r + 1, last);
    const r2 = min(r + 2, last);
    const r3 = min(r + 3, last);
    const n0 = r / P, p0 = r - n0 * P, n1 = r1 / P, p1 = r1 - n1 * P, n2 = r2 / P, p2 = r2 - n2 * P, n3 = r3 / P, p3 = r3 - n3 * P;
    const x0 = at(x, n0 * image), x1 = at(x, n1 * image), x2 = at(x, n2 * image), x3 = at(x, n3 * image);
    const oy0 = p0 / OW, oy1 = p1 / OW, oy2 = p2 / OW, oy3 = p3 / OW;
    const iy0 = oy0 * sy - padTop, iy1 = oy1 * sy - padTop, iy2 = oy2 * sy - padTop, iy3 = oy3 * sy - padTop;
    const ix0 = (p0 - oy0 * OW) * sx - padLeft, ix1 = (p1 - oy1 * OW) * sx - padLeft, ix2 = (p2 - oy2 * OW) * sx - padLeft, ix3 = (p3 - oy3 * OW) * sx - padLeft;
    for (let f = 0; f < F; f += 8) {
      const wide = f + 8 <= F;
      let a0 = f32x4.splat(0);
      let a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const q0 = pixel(x0, iy0 + ky, ix0 + kx, H, W, C, zeros);
          const q1 = pixel(x1, iy1 + ky, ix1 + kx, H, W, C, zeros);
          const q2 = pixel(x2, iy2 + ky, ix2 + kx, H, W, C, zeros);
          const q3 = pixel(x3, iy3 + ky, ix3 + kx, H, W, C, zeros);
          let wp = at(Wt, (ky * kw + kx) * C * F + f);
          for (let c = 0; c < C; c++) {
            const w0 = v128.load(wp);
            const w1 = wide ? v128.load(wp, 16) : w0;
            const o = <usize>c << 2;
            let s = v128.load32_splat(q0 + o);
            a0 = f32x4.add(a0, f32x4.mul(s, w0));
            a1 = f32x4.add(a1, f32x4.mul(s, w1));
            s = v128.load32_splat(q1 + o);
            b0 = f32x4.add(b0, f32x4.mul(s, w0));
            b1 = f32x4.add(b1, f32x4.mul(s, w1));
            s = v128.load32_splat(q2 + o);
            c0 = f32x4.add(c0, f32x4.mul(s, w0));
            c1 = f32x4.add(c1, f32x4.mul(s, w1));
            s = v128.load32_splat(q3 + o);
            d0 = f32x4.add(d0, f32x4.mul(s, w0));
            d1 = f32x4.add(d1, f32x4.mul(s, w1));
            wp = at(wp, F);
          }
        }
      }
      const bias0 = hasBias ? v128.load(at(b, f)) : f32x4.splat(0);
      const bias1 = hasBias && wide ? v128.load(at(b, f + 4)) : f32x4.splat(0);
      storeTile(v, y, r, F, f, f32x4.add(a0, bias0), f32x4.add(a1, bias1), wide, act, alpha);
      if (r1 > r) storeTile(v, y, r1, F, f, f32x4.add(b0, bias0), f32x4.add(b1, bias1), wide, act, alpha);
      if (r2 > r1) storeTile(v, y, r2, F, f, f32x4.add(c0, bias0), f32x4.add(c1, bias1), wide, act, alpha);
      if (r3 > r2) storeTile(v, y, r3, F, f, f32x4.add(d0, bias0), f32x4.add(d1, bias1), wide, act, alpha);
    }
  }
}

@inline function storeTile(v: usize, y: usize, r: i32, F: i32, f: i32, lo: v128, hi: v128, wide: bool, act: i32, alpha: f32): void {
  const k = r * F + f;
  v128.store(at(v, k), lo);
  if (act >= 0) v128.store(at(y, k), activate4(lo, act, alpha));
  if (wide) {
    v128.store(at(v, k + 4), hi);
    if (act >= 0) v128.store(at(y, k + 4), activate4(hi, act, alpha));
  }
}

/** y = f(v) elementwise over [from, to) for linear/relu/leakyRelu (used where v came from a kernel without it). */
export function activateRange(v: usize, y: usize, act: i32, alpha: f32, from: i32, to: i32): void {
  let i = from;
  for (; i + 4 <= to; i += 4) v128.store(at(y, i), activate4(v128.load(at(v, i)), act, alpha));
  for (; i < to; i++) store<f32>(at(y, i), activate(load<f32>(at(v, i)), act, alpha));
}

/**
 * The input gradient, scattered from δ (no patch matrix): for samples [from, to), e[n] = 0, then for each
 * output pixel p (row-major) and each kernel tap (ky, kx) over the image, e[n, iy, ix, :] += Σ_f δ[n, p, f]·
 * W[f, ky, kx, :] (W is [F, K], K = kh·kw·C in the order (ky, kx, c), rows Kp floats apart). The Σ_f runs over
 * the filters whose δ is non-zero (listed once per pixel in `list`, this thread's F i32): after max pooling
 * three in four δ are 0, after ReLU more. Vectors along the channels, 4 of them (16 channels) a step.
 */
export function convInputGrad(W: usize, delta: usize, e: usize, H: i32, Wd: i32, C: i32, kh: i32, kw: i32, sy: i32, sx: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, F: i32, Kp: i32, from: i32, to: i32, list: usize): void {
  const P = OH * OW;
  const image = H * Wd * C;
  const c16 = C & ~15;
  const c4 = C & ~3;
  for (let n = from; n < to; n++) {
    const es = at(e, n * image);
    zeroFloats(es, image);
    for (let p = 0; p < P; p++) {
      const dp = at(delta, (n * P + p) * F);
      let m = 0;
      for (let f = 0; f < F; f++) {
        if (load<f32>(at(dp, f)) != 0) {
          store<i32>(at(list, m), f);
          m++;
        }
      }
      if (m == 0) continue;
      const oy = p / OW;
      const ox = p - oy * OW;
      const iy0 = oy * sy - padTop;
      const ix0 = ox * sx - padLeft;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          if (ix < 0 || ix >= Wd) continue;
          const ep = at(es, (iy * Wd + ix) * C);
          const tap = (ky * kw + kx) * C;
          let c = 0;
          for (; c < c16; c += 16) {
            let a0 = f32x4.splat(0);
            let a1 = a0, a2 = a0, a3 = a0;
            for (let q = 0; q < m; q++) {
              const f = load<i32>(at(list, q));
              const d = v128.load32_splat(at(dp, f));
              const wp = at(W, f * Kp + tap + c);
              a0 = f32x4.add(a0, f32x4.mul(d, v128.load(wp)));
              a1 = f32x4.add(a1, f32x4.mul(d, v128.load(wp, 16)));
              a2 = f32x4.add(a2, f32x4.mul(d, v128.load(wp, 32)));
              a3 = f32x4.add(a3, f32x4.mul(d, v128.load(wp, 48)));
            }
            const o = at(ep, c);
            v128.store(o, f32x4.add(v128.load(o), a0));
            v128.store(o, f32x4.add(v128.load(o, 16), a1), 16);
            v128.store(o, f32x4.add(v128.load(o, 32), a2), 32);
            v128.store(o, f32x4.add(v128.load(o, 48), a3), 48);
          }
          for (; c < c4; c += 4) {
            let a0 = f32x4.splat(0);
            for (let q = 0; q < m; q++) {
              const f = load<i32>(at(list, q));
              a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(at(dp, f)), v128.load(at(W, f * Kp + tap + c))));
            }
            const o = at(ep, c);
            v128.store(o, f32x4.add(v128.load(o), a0));
          }
          for (; c < C; c++) {
            let s: f32 = 0;
            for (let q = 0; q < m; q++) {
              const f = load<i32>(at(list, q));
              s += load<f32>(at(dp, f)) * load<f32>(at(W, f * Kp + tap + c));
            }
            const o = at(ep, c);
            store<f32>(o, load<f32>(o) + s);
          }
        }
      }
    }
  }
}

/**
 * The filter gradient fused with the optimizer's update, for filters [from, to): dW[f] = Σ over samples and
 * output pixels (in order) of δ[n, p, f]·(the patch of x under pixel p), skipping the zero δ, summed into the
 * scratch G (F·Kp floats; this thread's rows only), then W[f] and b[f] moved by the optimizer with D = G/N
 * (the config block's row count). x is the NHWC input, or the patch matrix seen as a 1×1 convolution's
 * input (then H = OH, W = OW, C = Kp, kh = kw = 1). Vectors along the channels.
 */
export function convFilterUpdate(W: usize, b: usize, delta: usize, x: usize, G: usize, H: i32, Wd: i32, C: i32, kh: i32, kw: i32, sy: i32, sx: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32, F: i32, Kp: i32, N: i32, hasBias: i32, mW: usize, sW: usize, mb: usize, sb: usize, cfg: usize, from: i32, to: i32): void {
  const P = OH * OW;
  const image = H * Wd * C;
  const c4 = C & ~3;
  zeroFloats(at(G, from * Kp), (to - from) * Kp);
  for (let n = 0; n < N; n++) {
    const xs = at(x, n * image);
    for (let p = 0; p < P; p++) {
      const dp = at(delta, (n * P + p) * F);
      const oy = p / OW;
      const ox = p - oy * OW;
      const iy0 = oy * sy - padTop;
      const ix0 = ox * sx - padLeft;
      for (let f = from; f < to; f++) {
        const ds = load<f32>(at(dp, f));
        if (ds == 0) continue;
        const d = f32x4.splat(ds);
        const gf = at(G, f * Kp);
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx;
            if (ix < 0 || ix >= Wd) continue;
            const xp = at(xs, (iy * Wd + ix) * C);
            const gp = at(gf, (ky * kw + kx) * C);
            let c = 0;
            for (; c < c4; c += 4) v128.store(at(gp, c), f32x4.add(v128.load(at(gp, c)), f32x4.mul(d, v128.load(at(xp, c)))));
            for (; c < C; c++) store<f32>(at(gp, c), load<f32>(at(gp, c)) + ds * load<f32>(at(xp, c)));
          }
        }
      }
    }
  }
  const decay = load<f32>(cfg, CFG_DECAY);
  for (let f = from; f < to; f++) {
    const row = f * Kp;
    for (let k = 0; k < Kp; k += 4) update4(at(W, row + k), at(mW, row + k), at(sW, row + k), v128.load(at(G, row + k)), cfg);
    if (hasBias) {
      let s: f32 = 0;
      for (let r = 0; r < N * P; r++) s += load<f32>(at(delta, r * F + f));
      update1(at(b, f), at(mb, f), at(sb, f), s, cfg, 0);
    }
  }
  void decay;
}
