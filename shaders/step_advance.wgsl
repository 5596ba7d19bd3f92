// step_advance.wgsl — moves the Step record (common.wgsl) to the next step, as the last dispatch of
// every step: start += batch, rows = min(batch, total − start), t += 1. One invocation; it replaces a
// per-step uniform upload, so many steps fit in one command buffer with nothing written in between.

@group(0) @binding(0) var<storage, read_write> step: Step;

@compute @workgroup_size(1)
fn main() {
  let start = step.start + step.batch;
  step.start = start;
  step.rows = select(0u, min(step.batch, step.total - start), start < step.total);
  step.t = step.t + 1u;
}
