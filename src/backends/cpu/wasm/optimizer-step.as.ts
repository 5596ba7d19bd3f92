// AssemblyScript, imported by dense-simd.as.ts (compiled with it by bin/embed-assets.js): the optimizer's
// step on 4 weights (SIMD) or 1, as dense.ts's updateWeights does it: W moves downhill by D − λ·W (plain SGD,
// momentum, or Adam with bias-corrected moments), reading the optimizer and its constants from the config
// block the host writes before each update.

// Optimizer ids and the config block's f32 slots (written by the host before each update).
export const SGD = 0;
export const MOMENTUM = 1;
export const ADAM = 2;
export const CFG_TYPE = 0;
export const CFG_ETA = 4;
export const CFG_DECAY = 8;
export const CFG_BETA1 = 12; // momentum's μ, or Adam's β1
export const CFG_BETA2 = 16;
export const CFG_C1 = 20; // Adam's bias corrections 1 − β1ᵗ and 1 − β2ᵗ
export const CFG_C2 = 24;
export const CFG_EPSILON = 28;
export const CFG_ROWS = 32; // the batch's row count, as f32 (D = Σ / rows)
// 1 − β1 and 1 − β2, computed by the host in float64 and rounded once: 1 − fround(0.999) in float32 would
// be off by ~3·10⁻⁵ relative, 500 times float32's rounding error, and Adam's v would inherit that.
export const CFG_ONE_MINUS_BETA1 = 36;
export const CFG_ONE_MINUS_BETA2 = 40;

/** W ← W moved by D (4 weights), per the optimizer in the config block; m/s are its state (or unused). */
@inline export function update4(wp: usize, mp: usize, sp: usize, sum: v128, cfg: usize): void {
  const type = <i32>load<f32>(cfg, CFG_TYPE);
  const D = f32x4.div(sum, f32x4.splat(load<f32>(cfg, CFG_ROWS)));
  const eta = f32x4.splat(load<f32>(cfg, CFG_ETA));
  let w = v128.load(wp);
  const g = f32x4.sub(D, f32x4.mul(f32x4.splat(load<f32>(cfg, CFG_DECAY)), w)); // downhill: D − λ·W
  if (type == SGD) {
    w = f32x4.add(w, f32x4.mul(eta, g));
  } else if (type == MOMENTUM) {
    const m = f32x4.add(f32x4.mul(f32x4.splat(load<f32>(cfg, CFG_BETA1)), v128.load(mp)), f32x4.mul(eta, g));
    v128.store(mp, m);
    w = f32x4.add(w, m);
  } else {
    const b1 = load<f32>(cfg, CFG_BETA1);
    const b2 = load<f32>(cfg, CFG_BETA2);
    const grad = f32x4.neg(g);
    const m = f32x4.add(f32x4.mul(f32x4.splat(b1), v128.load(mp)), f32x4.mul(f32x4.splat(load<f32>(cfg, CFG_ONE_MINUS_BETA1)), grad));
    const s = f32x4.add(f32x4.mul(f32x4.splat(b2), v128.load(sp)), f32x4.mul(f32x4.mul(f32x4.splat(load<f32>(cfg, CFG_ONE_MINUS_BETA2)), grad), grad));
    v128.store(mp, m);
    v128.store(sp, s);
    const mHat = f32x4.div(m, f32x4.splat(load<f32>(cfg, CFG_C1)));
    const sHat = f32x4.div(s, f32x4.splat(load<f32>(cfg, CFG_C2)));
    w = f32x4.sub(w, f32x4.div(f32x4.mul(eta, mHat), f32x4.add(f32x4.sqrt(sHat), f32x4.splat(load<f32>(cfg, CFG_EPSILON)))));
  }
  v128.store(wp, w);
}

@inline export function update1(wp: usize, mp: usize, sp: usize, sum: f32, cfg: usize, decay: f32): void {
  const type = <i32>load<f32>(cfg, CFG_TYPE);
  const eta = load<f32>(cfg, CFG_ETA);
  let w = load<f32>(wp);
  const g = sum / load<f32>(cfg, CFG_ROWS) - decay * w;
  if (type == SGD) {
    w += eta * g;
  } else if (type == MOMENTUM) {
    const m = load<f32>(cfg, CFG_BETA1) * load<f32>(mp) + eta * g;
    store<f32>(mp, m);
    w += m;
  } else {
    const b1 = load<f32>(cfg, CFG_BETA1);
    const b2 = load<f32>(cfg, CFG_BETA2);
    const grad = -g;
    const m = b1 * load<f32>(mp) + load<f32>(cfg, CFG_ONE_MINUS_BETA1) * grad;
    const s = b2 * load<f32>(sp) + load<f32>(cfg, CFG_ONE_MINUS_BETA2) * grad * grad;
    store<f32>(mp, m);
    store<f32>(sp, s);
    w -= (eta * (m / load<f32>(cfg, CFG_C1))) / (sqrt<f32>(s / load<f32>(cfg, CFG_C2)) + load<f32>(cfg, CFG_EPSILON));
  }
  store<f32>(wp, w);
}
