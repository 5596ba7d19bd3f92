/** `deltagpu rbf --example xor [--train]`: the RBF network lecture's XOR table, or the output weights learned. */
import { parseArgs } from 'node:util';
import { rbfXorLecture, trainRbfXor, RBF_XOR_TARGETS } from '../examples/rbf-xor.ts';
import type { BackendChoice } from '../backends/select.ts';
import { choiceOption, intOption, numberOption } from './options.ts';

export const RBF_HELP = `deltagpu rbf --example xor [options]
  The RBF network (red de base radial) on XOR: Gaussian units centred on the four patterns, σ = 1.
  --example xor         the lecture's example (the only one)
  --train               learn the output weights from zero: w ← w + (α/2)·(d − z)·φ (else the lecture's −1, +1, +1, −1)
  --alpha A             α for --train (default 1)     --epochs N   epochs for --train (default 200)
  --format table|json   table (default) or one JSON object
  --backend B           auto (default), cpu or webgpu
  For digits: deltagpu train mnist --model rbf --centers K`;

const f = (v: number, d = 4) => (Object.is(v, -0) ? 0 : v).toFixed(d).padStart(d + 4);

export async function rbfCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      example: { type: 'string' },
      train: { type: 'boolean', default: false },
      alpha: { type: 'string' },
      epochs: { type: 'string' },
      format: { type: 'string', default: 'table' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(RBF_HELP);
    return 0;
  }
  if (values.example === undefined) throw new RangeError('--example is required: xor');
  choiceOption(values.example, 'example', ['xor'] as const, 'xor');
  const backend = choiceOption(values.backend, 'backend', ['auto', 'cpu', 'webgpu'] as const, 'auto') as BackendChoice;
  const format = choiceOption(values.format, 'format', ['table', 'json'] as const, 'table');
  // the lecture's network is solved, not trained: a training option without --train would be ignored silently
  const unused = (['epochs', 'alpha'] as const).filter((k) => values[k] !== undefined);
  if (!values.train && unused.length > 0) throw new RangeError(`--${unused.join(' and --')} only ${unused.length > 1 ? 'apply' : 'applies'} with --train (the lecture's RBF network is computed, not trained)`);
  const r = values.train
    ? await trainRbfXor({ backend, alpha: numberOption(values.alpha, 'alpha', 1, (n) => n > 0, 'a positive number'), epochs: intOption(values.epochs, 'epochs', 200) })
    : await rbfXorLecture(backend);
  if (format === 'json') {
    out(JSON.stringify(r));
    return 0;
  }
  out(`centres: ${r.centers.map((c) => `(${c.join(', ')})`).join(' ')}   σ = ${r.sigma.map((s) => s.toFixed(4)).join(', ')}`);
  out(`weights (${r.weights.map((w) => w.toFixed(4)).join(', ')}), θ = ${r.bias.toFixed(4)}${r.epochs ? `, learned in ${r.epochs} epochs (final mean loss ${r.loss?.at(-1)?.toExponential(2)})` : ''}`);
  out(` x1 x2 |     φ1      φ2      φ3      φ4 |  Σw·φ+θ | out   d`);
  r.phi.forEach((phi, i) => {
    const x = r.centers[i];
    out(`${String(x[0]).padStart(3)}${String(x[1]).padStart(3)} | ${phi.map((p) => f(p)).join('')} | ${f(r.sums[i])} | ${String(r.outputs[i]).padStart(3)} ${String(RBF_XOR_TARGETS[i][0]).padStart(3)}`);
  });
  out(values.train ? 'outputs: 1 where Σw·φ + θ ≥ ½' : 'outputs: unit step on Σw·φ (1 where positive)');
  return 0;
}
