// health.wgsl — numeric health of the updated parameters: sets flags[check.flag] to 1 if any of the
// first check.count values is NaN or ±Infinity. Run once per tick on every W and b after the steps, so
// the flags travel in the tick's one metrics readback (no extra sync). A bit test on the exponent
// rather than x != x: compilers may assume floats are finite and fold NaN comparisons away.
// Many workgroups stride over the buffer; any that finds a bad value ORs the flag (u32 atomics exist,
// float ones do not).

struct Target {
  count: u32,
  flag: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> check: Target;

const EXPONENT: u32 = 0x7f800000u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  var bad = false;
  for (var i = g.x; i < check.count; i += n.x * 256u) {
    if ((bitcast<u32>(values[i]) & EXPONENT) == EXPONENT) { bad = true; }
  }
  if (bad) { atomicOr(&flags[check.flag], 1u); }
}
