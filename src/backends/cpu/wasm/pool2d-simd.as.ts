// AssemblyScript, re-exported by dense-simd.as.ts: max and average pooling on NHWC images (the WebAssembly
// session's layout, see conv2d-simd.as.ts), forward and backward, for samples [from, to). Channels are
// innermost, so 4 channels of a window are one v128 and the window is walked once for all of them.
//
// Max pooling sends a window's error to its first maximum in row-major order within the window (the contract
// in src/backend.ts): the forward pass keeps, per output, the offset of that input within the sample (a
// strict > only replaces on a larger value), and the backward pass adds each output's error there, outputs in
// order, so overlapping windows sum in one fixed order.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

export function maxPoolForward(x: usize, y: usize, arg: usize, H: i32, W: i32, C: i32, ph: i32, pw: i32, sy: i32, sx: i32, OH: i32, OW: i32, from: i32, to: i32): void {
  const image = H * W * C;
  const out = OH * OW * C;
  const c4 = C & ~3;
  const lane = i32x4(0, 1, 2, 3);
  for (let n = from; n < to; n++) {
    const xs = at(x, n * image);
    const ys = at(y, n * out);
    const as = at(arg, n * out);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const first = (oy * sy * W + ox * sx) * C;
        const o = (oy * OW + ox) * C;
        for (let c = 0; c < c4; c += 4) {
          let best = v128.load(at(xs, first + c));
          let where = i32x4.add(i32x4.splat(first + c), lane);
          for (let ky = 0; ky < ph; ky++) {
            for (let kx = 0; kx < pw; kx++) {
              if (ky == 0 && kx == 0) continue;
              const k = first + (ky * W + kx) * C + c;
              const val = v128.load(at(xs, k));
              const more = f32x4.gt(val, best);
              best = v128.bitselect(val, best, more);
              where = v128.bitselect(i32x4.add(i32x4.splat(k), lane), where, more);
            }
          }
          v128.store(at(ys, o + c), best);
          v128.store(at(as, o + c), where);
        }
        for (let c = c4; c < C; c++) {
          let best = load<f32>(at(xs, first + c));
          let where = first + c;
          for (let ky = 0; ky < ph; ky++) {
            for (let kx = 0; kx < pw; kx++) {
              const k = first + (ky * W + kx) * C + c;
              const val = load<f32>(at(xs, k));
              if (val > best) {
                best = val;
                where = k;
              }
            }
          }
          store<f32>(at(ys, o + c), best);
          store<i32>(at(as, o + c), where);
        }
      }
    }
  }
}

/** e_in[n] = 0, then each output's error added at its window's first maximum (offsets from maxPoolForward). */
export function maxPoolBackward(eOut: usize, arg: usize, eIn: usize, image: i32, out: i32, from: i32, to: i32): void {
  for (let n = from; n < to; n++) {
    const es = at(eIn, n * image);
    memory.fill(es, 0, <usize>image << 2);
    const eo = at(eOut, n * out);
    const as = at(arg, n * out);
    for (let q = 0; q < out; q++) {
      const k = load<i32>(at(as, q));
      store<f32>(at(es, k), load<f32>(at(es, k)) + load<f32>(at(eo, q)));
    }
  }
}

/** y = (Σ of the window, row-major) / (ph·pw) */
export function avgPoolForward(x: usize, y: usize, H: i32, W: i32, C: i32, ph: i32, pw: i32, sy: i32, sx: i32, OH: i32, OW: i32, from: i32, to: i32): void {
  const image = H * W * C;
  const out = OH * OW * C;
  const c4 = C & ~3;
  const count = <f32>(ph * pw);
  for (let n = from; n < to; n++) {
    const xs = at(x, n * image);
    const ys = at(y, n * out);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const first = (oy * sy * W + ox * sx) * C;
        const o = (oy * OW + ox) * C;
        for (let c = 0; c < c4; c += 4) {
          let s = f32x4.splat(0);
          for (let ky = 0; ky < ph; ky++) for (let kx = 0; kx < pw; kx++) s = f32x4.add(s, v128.load(at(xs, first + (ky * W + kx) * C + c)));
          v128.store(at(ys, o + c), f32x4.div(s, f32x4.splat(count)));
        }
        for (let c = c4; c < C; c++) {
          let s: f32 = 0;
          for (let ky = 0; ky < ph; ky++) for (let kx = 0; kx < pw; kx++) s += load<f32>(at(xs, first + (ky * W + kx) * C + c));
          store<f32>(at(ys, o + c), s / count);
        }
      }
    }
  }
}

/** e_in[n] = 0, then each output's error / (ph·pw) added to every input of its window (outputs in order). */
export function avgPoolBackward(eOut: usize, eIn: usize, H: i32, W: i32, C: i32, ph: i32, pw: i32, sy: i32, sx: i32, OH: i32, OW: i32, from: i32, to: i32): void {
  const image = H * W * C;
  const out = OH * OW * C;
  const count = <f32>(ph * pw);
  for (let n = from; n < to; n++) {
    const es = at(eIn, n * image);
    memory.fill(es, 0, <usize>image << 2);
    const eo = at(eOut, n * out);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const first = (oy * sy * W + ox * sx) * C;
        const o = (oy * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const share = load<f32>(at(eo, o + c)) / count;
          for (let ky = 0; ky < ph; ky++) {
            for (let kx = 0; kx < pw; kx++) {
              const k = first + (ky * W + kx) * C + c;
              store<f32>(at(es, k), load<f32>(at(es, k)) + share);
            }
          }
        }
      }
    }
  }
}
