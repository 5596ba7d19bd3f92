// metrics.wgsl — loss and accuracy accumulation without float atomics (WGSL has none): the one
// workgroup of output_delta.wgsl tree-reduces its invocations' sums in workgroup memory, then invocation
// 0 adds them to the accumulator. Steps are ordered dispatches in one queue, so there is never a second
// writer. The loss sum is Kahan-compensated: an epoch adds tens of thousands of per-batch sums in f32.

struct Accum {
  lossSum: f32,
  lossComp: f32,  // Kahan compensation of lossSum
  correct: u32,
  count: u32,
}

const WG: u32 = 64u;
var<workgroup> wgLoss: array<f32, 64>;
var<workgroup> wgCorrect: array<u32, 64>;

fn accumulate_metrics(t: u32, loss: f32, correct: u32, rows: u32) {
  wgLoss[t] = loss;
  wgCorrect[t] = correct;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      wgLoss[t] += wgLoss[t + s];
      wgCorrect[t] += wgCorrect[t + s];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    let y = wgLoss[0] - acc.lossComp;
    let sum = acc.lossSum + y;
    acc.lossComp = (sum - acc.lossSum) - y;
    acc.lossSum = sum;
    acc.correct += wgCorrect[0];
    acc.count += rows;
  }
}
