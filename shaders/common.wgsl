// common.wgsl — the structs every kernel of a training step shares.
//
// Why a GPU-side step record: trainSteps encodes many steps into one command buffer without reading
// anything back, so per-step values (where in `order` this batch starts, how many rows it has, Adam's
// step counter t) cannot be baked into each dispatch. The host writes the first step's record once per
// call; the kernel in step_advance.wgsl moves it to the next step at the end of every step. Every kernel
// reads `rows` from here, so a short last batch is handled by bounds, not by a different dispatch.

struct Step {
  start: u32,      // position in `order` of this step's first pattern
  rows: u32,       // patterns in this step (≤ batch); the last batch of an epoch may be short
  t: u32,          // Adam's step counter for this step's update (1 for the first update)
  batch: u32,      // how far `start` moves per step (batchSize)
  total: u32,      // length of `order` (patterns in the epoch)
  sequential: u32, // 1: pattern = start + r (evaluate/predict); 0: pattern = order[start + r]
  pad0: u32,
  pad1: u32,
}

// Shape of one matrix product C (M × N) = Σ_r A'(i, r)·B'(r, j) over R terms, see matmul_*.wgsl.
// ld* are row strides in floats, always multiples of 4 (rows are padded with zeros so vec4 loads align).
// rowsDim says which extent is the batch and is read from Step.rows: 0 none, 1 M, 2 R.
struct MatDims {
  M: u32,
  N: u32,
  R: u32,
  ldA: u32,
  ldB: u32,
  ldC: u32,
  rowsDim: u32,
  pad: u32,
}

// Shape of a row-wise kernel's matrix: `cols` real columns of `ld` (padded) per row.
struct RowShape {
  cols: u32,
  ld: u32,
  pad0: u32,
  pad1: u32,
}
