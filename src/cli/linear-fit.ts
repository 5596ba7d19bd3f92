/** `deltagpu linear-fit`: the TF2 linear regression example (one weight, one bias, MSE, SGD 0.02). */
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../format/atomic.ts';
import { checkWritable, makeFolder } from '../format/writable.ts';
import { linearFit } from '../examples/linear-fit.ts';
import { linearFitToSvg } from '../report/fit-plot.ts';
import type { BackendChoice } from '../backends/select.ts';
import { choiceOption, intOption, numberOption } from './options.ts';

export const LINEAR_FIT_HELP = `deltagpu linear-fit [options]
  Linear regression as in the TensorFlow 2 example: 100 seeded points x ~ N(1, 0.1), y = x·(N(1, 0.05) − 0.5),
  y = w·x + b, MSE, plain SGD; compared with the closed-form least-squares line.
  --epochs N            epochs (default 300)
  --lr R                learning rate (default 0.02)
  --batch-size B        1 = online (default), B = mini-batch
  --seed S              data seed (default 1)
  --out FILE.svg        write the data with the fitted line beside the loss curve
  --format table|json   table (default) or one JSON object
  --backend B           auto (default), cpu or webgpu`;

export async function linearFitCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' },
      lr: { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'table' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(LINEAR_FIT_HELP);
    return 0;
  }
  const format = choiceOption(values.format, 'format', ['table', 'json'] as const, 'table');
  // before fitting: an empty name, a folder that cannot be made or a read-only one fails now, naming --out
  if (values.out !== undefined) checkWritable(values.out, '--out');
  const r = await linearFit({
    epochs: intOption(values.epochs, 'epochs', 300),
    learningRate: numberOption(values.lr, 'lr', 0.02, (n) => n > 0, 'a positive number'),
    batchSize: intOption(values['batch-size'], 'batch-size', 1),
    seed: intOption(values.seed, 'seed', 1, 0),
    backend: choiceOption(values.backend, 'backend', ['auto', 'cpu', 'webgpu'] as const, 'auto') as BackendChoice,
  });
  if (values.out !== undefined) {
    makeFolder(dirname(values.out) || '.', `--out ${values.out}`);
    writeFileAtomic(values.out, linearFitToSvg(r.x, r.y, r, r.loss, { title: `linear regression · ${r.loss.length} epochs · y = ${r.weight.toFixed(3)}·x ${r.bias < 0 ? '−' : '+'} ${Math.abs(r.bias).toFixed(3)}` }));
  }
  if (format === 'json') {
    out(JSON.stringify({ weight: r.weight, bias: r.bias, loss: r.loss, leastSquares: r.leastSquares }));
    return 0;
  }
  out(`SGD (${r.loss.length} epochs): weight ${r.weight.toFixed(4)}, bias ${r.bias.toFixed(4)}, final MSE ${r.loss.at(-1)?.toExponential(4)}`);
  out(`least squares:     weight ${r.leastSquares.weight.toFixed(4)}, bias ${r.leastSquares.bias.toFixed(4)}`);
  if (values.out !== undefined) out(`plot written to ${values.out}`);
  return 0;
}
