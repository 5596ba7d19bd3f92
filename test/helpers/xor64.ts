/**
 * The lecture's 2-2-1 sigmoid network, online, E = ½·Σ(d−y)², in float64 with plain arithmetic: an oracle
 * written from the lecture's formulas only (Δo = o(1−o)(T−o), Δh_j = h_j(1−h_j)·w_oj·Δo with the weights from
 * before the pattern, w ← w + α·δ·x, b ← b + α·δ), independent of the engine. `hiddenRate` lets a test build
 * a deliberately wrong variant (a hidden layer that learns at another rate) and show its tolerance catches it.
 */
export interface Xor64State {
  weightsHidden: number[][];
  weightsOutput: number[][];
  biasHidden?: number[];
  biasOutput?: number[];
}

export interface Xor64Row extends Xor64State {
  hidden: number[];
  output: number[];
  deltaOutput: number[];
  deltaHidden: number[];
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));

export function xorTrace64(
  start: Xor64State, inputs: number[][], targets: number[][], epochs: number,
  rates: { alpha: number; hiddenRate?: number },
): Xor64Row[] {
  const bias = start.biasHidden !== undefined;
  let wh = start.weightsHidden.map((r) => [...r]);
  let wo = [...start.weightsOutput[0]];
  let bh = bias ? [...start.biasHidden!] : [0, 0];
  let bo = bias ? start.biasOutput![0] : 0;
  const aOut = rates.alpha;
  const aHid = rates.hiddenRate ?? rates.alpha;
  const out: Xor64Row[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let p = 0; p < inputs.length; p++) {
      const x = inputs[p];
      const h = [0, 1].map((j) => sig(wh[j][0] * x[0] + wh[j][1] * x[1] + bh[j]));
      const o = sig(wo[0] * h[0] + wo[1] * h[1] + bo);
      const dOut = o * (1 - o) * (targets[p][0] - o);
      const dHid = [0, 1].map((j) => h[j] * (1 - h[j]) * wo[j] * dOut);
      wo = wo.map((w, j) => w + aOut * dOut * h[j]);
      wh = wh.map((r, j) => r.map((w, i) => w + aHid * dHid[j] * x[i]));
      if (bias) {
        bo += aOut * dOut;
        bh = bh.map((b, j) => b + aHid * dHid[j]);
      }
      out.push({
        hidden: h, output: [o], deltaOutput: [dOut], deltaHidden: dHid,
        weightsHidden: wh.map((r) => [...r]), weightsOutput: [[...wo]],
        ...(bias ? { biasHidden: [...bh], biasOutput: [bo] } : {}),
      });
    }
  }
  return out;
}
