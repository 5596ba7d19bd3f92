// matmul_subgroup.wgsl — matmul_wide.wgsl (an 8×8 block of C per invocation) where the four invocations
// of a quad share their loads through subgroup quad operations. Same contract, FORMs and zero-padded-rows
// invariant as matmul_regblock.wgsl. Needs the `subgroups` feature (matmulAvailable in kernels.ts).
//
// Why: on SwiftShader every lane's load from a buffer is a bounds-checked gather, and the loads, not the
// FMAs, bound the blocked kernels (wide: 64 gathered floats per 4 terms of an 8×8 block). A quad covers a
// 16×16 tile as a 2×2 arrangement of 8×8 blocks; the two lanes of a row of the quad need the same 8 rows
// of A, the two lanes of a column the same 8 columns of B. So each lane loads half of its A rows and half
// of its B columns (32 gathered floats per 4 terms) and swaps the other halves with its neighbours
// (quadSwapX / quadSwapY: a register shuffle on SwiftShader, a cross-lane move on hardware).
//
// The workgroup is exactly one quad (4 invocations): then which invocations form a quad is fixed by
// the spec whatever the adapter's subgroup size, so no assumption about how local invocation ids map to
// subgroup lanes is needed. Quad operations must be reached by all four lanes together, so no lane leaves
// early: lanes past the edge of C load zeros and store nothing.
//
// The operands come from separate files (a_block_t, b_block_t, the bindings of A and B), as for regblock:
// operand_{a,b}_f32.wgsl for float32 matrices, operand_{a,b}_u8.wgsl where the first layer's input batch is
// 8-bit pixels packed four to a u32 (kernels.ts picks the files).

enable subgroups;

override FORM: u32 = 0u;

@group(0) @binding(2) var<uniform> dims: MatDims;
@group(0) @binding(3) var<storage, read> step: Step;

const ZERO4 = vec4<f32>(0.0);

// The neighbour's block across the quad's row (lane x ↔ x^1) or column (lane y ↔ y^1), a column at a time.
fn swap_x(m: mat4x4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(quadSwapX(m[0]), quadSwapX(m[1]), quadSwapX(m[2]), quadSwapX(m[3]));
}
fn swap_y(m: mat4x4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(quadSwapY(m[0]), quadSwapY(m[1]), quadSwapY(m[2]), quadSwapY(m[3]));
}

fn store_block(acc: mat4x4<f32>, i0: u32, j0: u32, M: u32, N: u32) {
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (i0 + i < M && j0 + j < N) { store_c(i0 + i, j0 + j, acc[i][j]); }
    }
  }
}

@compute @workgroup_size(4)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let M = select(dims.M, step.rows, dims.rowsDim == 1u);
  let R = select(dims.R, step.rows, dims.rowsDim == 2u);
  let N = dims.N;
  // the quad's 16×16 tile; a whole quad leaves together, so the quad operations below stay uniform
  let ti = wg.y * 16u;
  let tj = wg.x * 16u;
  if (ti >= M || tj >= N) { return; }
  // lane (qx, qy) of the quad owns rows ti + 8·qy .. +7 and columns tj + 8·qx .. +7; of its rows it loads
  // the half at 4·qx ("mine", the neighbour across loads the other), of its columns the half at 4·qy
  let qx = lane & 1u;
  let qy = (lane >> 1u) & 1u;
  let iMine = ti + 8u * qy + 4u * qx;
  let iOther = ti + 8u * qy + 4u * (1u - qx);
  let jMine = tj + 8u * qx + 4u * qy;
  let jOther = tj + 8u * qx + 4u * (1u - qy);
  // acc{A half}{B half}: the four 4×4 blocks of this lane's 8×8, kept by whose load they came from
  var accMM = mat4x4<f32>();
  var accMO = mat4x4<f32>();
  var accOM = mat4x4<f32>();
  var accOO = mat4x4<f32>();
  for (var r0 = 0u; r0 < R; r0 += 4u) {
    let aM = a_block_t(iMine, r0, M, R);
    let bM = b_block_t(r0, jMine, N, R);
    let aO = swap_x(aM);
    let bO = swap_y(bM);
    accMM += bM * aM;
    accMO += bO * aM;
    accOM += bM * aO;
    accOO += bO * aO;
  }
  store_block(accMM, iMine, jMine, M, N);
  store_block(accMO, iMine, jOther, M, N);
  store_block(accOM, iOther, jMine, M, N);
  store_block(accOO, iOther, jOther, M, N);
}
