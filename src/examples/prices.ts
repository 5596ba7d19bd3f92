/**
 * The linear neuron lecture's café prices (la neurona lineal): each day's bill is Σ portions·price, the
 * prices are unknown, and a linear neuron with no bias learns them from (portions, bill) pairs by the delta
 * rule Δw = η·(d − y)·x. One step from the guess (0.50, 0.50, 0.50) on portions (5, 2, 3) and the bill
 * 8.50 with η = 1/35 gives (1.00, 0.70, 0.80) — the first estimate moves away from its true 0.50 — and
 * many different bills bring every estimate to the true prices (0.50, 1.50, 1.00).
 */
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import { sgd } from '../optimizers.ts';
import { Random } from '../random.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export const TRUE_PRICES = [0.5, 1.5, 1.0];
export const PRICE_GUESS = [0.5, 0.5, 0.5];
export const FIRST_BILL = { portions: [5, 2, 3], bill: 8.5, eta: 1 / 35 };

/** `count` seeded bills of 1–6 portions of each item, priced at TRUE_PRICES. */
export function priceBills(count: number, seed = 7): { x: number[][]; y: number[][] } {
  const rng = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let k = 0; k < count; k++) {
    const p = [1 + rng.int(6), 1 + rng.int(6), 1 + rng.int(6)];
    x.push(p);
    y.push([p.reduce((s, n, i) => s + n * TRUE_PRICES[i], 0)]);
  }
  return { x, y };
}

export interface PricesResult {
  firstStep: { before: number[]; residualBefore: number; after: number[]; residualAfter: number };
  trained: { bills: number; epochs: number; learningRate: number; prices: number[]; loss: number[] };
}

export async function learnPrices(options: { backend?: BackendChoice | Backend; epochs?: number; learningRate?: number; bills?: number; seed?: number } = {}): Promise<PricesResult> {
  const backend = options.backend ?? 'auto';
  const model = sequential([dense(3, 1, { activation: 'linear', bias: false })]);
  const start = [{ W: Float32Array.from(PRICE_GUESS), b: new Float32Array(0) }];
  try {
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(FIRST_BILL.eta), backend, onNotice: () => {} });
    await model.setWeights(start);
    const x1 = [FIRST_BILL.portions];
    const d1 = [[FIRST_BILL.bill]];
    const residualBefore = FIRST_BILL.bill - (await model.predict(x1)).data[0];
    await model.fit(x1, d1, { epochs: 1, batchSize: 1, shuffle: false });
    const after = Array.from((await model.getWeights())[0].W);
    const residualAfter = FIRST_BILL.bill - (await model.predict(x1)).data[0];

    // η = 1/35 suits one bill of ~10 portions; bills of up to 18 portions need a smaller step to stay stable
    const learningRate = options.learningRate ?? 0.005;
    const epochs = options.epochs ?? 200;
    const { x, y } = priceBills(options.bills ?? 60, options.seed ?? 7);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(learningRate), backend, onNotice: () => {} });
    await model.setWeights(start);
    const h = await model.fit(x, y, { epochs, batchSize: 1, shuffle: true });
    const prices = Array.from((await model.getWeights())[0].W);
    return {
      firstStep: { before: PRICE_GUESS.slice(), residualBefore, after, residualAfter },
      trained: { bills: x.length, epochs: h.epochs, learningRate, prices, loss: h.loss },
    };
  } finally {
    await model.dispose();
  }
}
