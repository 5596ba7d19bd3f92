// epilogue_update.wgsl — weight update fused into the gradient product G = δᵀ·X_prev (FORM 2, summed
// over the step's rows): the averaged weight change D = G / rows goes straight into the optimizer, so the
// gradient is never written to memory. Each output element is one weight W[j][i]; momentum/Adam state
// lives in Mst/Vst (dummy buffers for plain SGD, never touched then).

@group(0) @binding(4) var<storage, read_write> W: array<f32>;
@group(0) @binding(5) var<storage, read_write> Mst: array<f32>;
@group(0) @binding(6) var<storage, read_write> Vst: array<f32>;

fn store_c(j: u32, i: u32, g: f32) {
  let k = j * dims.ldC + i;
  let D = g / f32(step.rows);
  var m = 0.0;
  var v = 0.0;
  if (OPTIMIZER != 0u) { m = Mst[k]; }
  if (OPTIMIZER == 2u) { v = Vst[k]; }
  let u = optimize(W[k], D, hyper.l2, m, v, step.t);
  W[k] = u.p;
  if (OPTIMIZER != 0u) { Mst[k] = u.m; }
  if (OPTIMIZER == 2u) { Vst[k] = u.v; }
}
