/** `deltagpu prices`: the linear neuron learning the café's prices from the bills (the delta rule). */
import { parseArgs } from 'node:util';
import { FIRST_BILL, TRUE_PRICES, learnPrices } from '../examples/prices.ts';
import type { BackendChoice } from '../backends/select.ts';
import { choiceOption, intOption, numberOption } from './options.ts';

export const PRICES_HELP = `deltagpu prices [options]
  The linear neuron (neurona lineal) learning three prices from bills: y = Σ portions·w, Δw = η·(d − y)·x.
  --epochs N            epochs over the bills (default 200)
  --lr η                learning rate for the many bills (default 0.005; the first step uses 1/35)
  --bills N             number of seeded random bills (default 60)
  --format table|json   table (default) or one JSON object
  --backend B           auto (default), cpu or webgpu`;

const f = (v: number[]) => `(${v.map((p) => p.toFixed(4)).join(', ')})`;

export async function pricesCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' },
      lr: { type: 'string' },
      bills: { type: 'string' },
      format: { type: 'string', default: 'table' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(PRICES_HELP);
    return 0;
  }
  const r = await learnPrices({
    epochs: intOption(values.epochs, 'epochs', 200),
    learningRate: numberOption(values.lr, 'lr', 0.005, (n) => n > 0, 'a positive number'),
    bills: intOption(values.bills, 'bills', 60),
    backend: choiceOption(values.backend, 'backend', ['auto', 'cpu', 'webgpu'] as const, 'auto') as BackendChoice,
  });
  if (choiceOption(values.format, 'format', ['table', 'json'] as const, 'table') === 'json') {
    out(JSON.stringify({ truePrices: TRUE_PRICES, ...r }));
    return 0;
  }
  const s = r.firstStep;
  out(`guess ${f(s.before)}; portions (${FIRST_BILL.portions.join(', ')}), bill ${FIRST_BILL.bill.toFixed(2)}: residual ${s.residualBefore.toFixed(4)}`);
  out(`one delta-rule step (η = 1/35): prices ${f(s.after)}, residual ${s.residualAfter.toFixed(4)}`);
  out(`${r.trained.bills} bills × ${r.trained.epochs} epochs (η = ${r.trained.learningRate}): prices ${f(r.trained.prices)}, true ${f(TRUE_PRICES)}; final mean loss ${r.trained.loss.at(-1)?.toExponential(3)}`);
  return 0;
}
