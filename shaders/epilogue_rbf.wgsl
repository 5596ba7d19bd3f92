// epilogue_rbf.wgsl — a layer of radial units fused into the product G = X·Cᵀ (FORM 0, X rows × inputs,
// C centres × inputs): the squared distance comes from the expansion ‖x − c‖² = ‖x‖² − 2·x·c + ‖c‖²,
// so the only O(rows·centres·inputs) work is the matmul, and this epilogue turns each element into
//   r² = max(0, ‖x_i‖² − 2·G[i][j] + ‖c_j‖²)       (max: rounding can take a true 0 slightly below it)
//   BASIS 0, Gaussian:    φ = exp(−r² / (2σ_j²))    (centre[j].y holds 1 / (2σ_j²))
//   BASIS 1, thin plate:  φ = r²·ln r = ½·r²·ln r²  (0 at r = 0, its limit)
//   BASIS 2, distance:    φ = r²                    (k-means assignment)
// Same formulas as src/backends/cpu/rbf.ts, which computes r² directly and is the reference.

override BASIS: u32 = 0u;

@group(0) @binding(4) var<storage, read> xNorm: array<f32>;        // ‖x_i‖² per row
@group(0) @binding(5) var<storage, read> centre: array<vec2<f32>>; // (‖c_j‖², 1 / (2σ_j²)) per centre
@group(0) @binding(6) var<storage, read_write> Phi: array<f32>;

fn store_c(i: u32, j: u32, g: f32) {
  let r2 = max(0.0, xNorm[i] - 2.0 * g + centre[j].x);
  var phi = r2;
  if (BASIS == 0u) {
    phi = exp(-r2 * centre[j].y);
  } else if (BASIS == 1u) {
    phi = select(0.0, 0.5 * r2 * log(r2), r2 > 0.0);
  }
  Phi[i * dims.ldC + j] = phi;
}
