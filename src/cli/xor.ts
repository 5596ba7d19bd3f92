/**
 * `deltagpu xor`: the lecture's XOR worked example, traced pattern by pattern (--trace), or XOR with
 * bias inputs trained to convergence (--bias), or XOR with bias traced pattern by pattern (--bias --trace:
 * seeded starting weights, α = 0.5, the rows carrying the biases too — what the demo's stepper shows in its
 * bias mode).
 */
import { parseArgs } from 'node:util';
import { choiceOption, intOption } from './options.ts';
import { traceXor, trainXorWithBias, XOR_BIAS_LEARNING_RATE, XOR_INPUTS, XOR_TARGETS } from '../examples/xor.ts';
import type { XorTraceRow } from '../examples/xor.ts';
import type { BackendChoice } from '../backends/select.ts';

export const XOR_HELP = `deltagpu xor [options]
  The lecture's XOR worked example: 2-2-1 sigmoid, no bias, online SGD, α = 0.25, E = ½·Σ(d−y)².
  --trace              print every pattern's values as the lecture tabulates them
  --format table|json  table (default) or one JSON array with an object per pattern
  --epochs N           epochs to run (default 1; with --bias and no --trace 10000)
  --bias               train XOR with bias inputs (as the MATLAB example does) and print the outputs;
                       with --trace, trace it instead (seed 1, α = 0.5; rows add bh1, bh2, bo)
  --backend B          auto (default), cpu or webgpu`;

const f4 = (v: number) => v.toFixed(4).padStart(8);

function tableRow(r: XorTraceRow): string {
  const w = [...r.weightsHidden.flat(), ...r.weightsOutput.flat(), ...(r.biasHidden ?? []), ...(r.biasOutput ?? [])];
  return [String(r.epoch).padStart(5), String(r.pattern).padStart(3), ...r.input.map((v) => String(v).padStart(3)), String(r.target[0]).padStart(3), ...r.hidden.map(f4), ...r.output.map(f4), ...r.deltaOutput.map(f4), ...r.deltaHidden.map(f4), ...w.map(f4)].join(' ');
}

const COLUMNS = ['h1', 'h2', 'o1', 'Δo', 'Δh1', 'Δh2', 'w11', 'w12', 'w21', 'w22', 'wo1', 'wo2'];
const tableHeader = (bias: boolean) => ['epoch', 'pat', ' x1', ' x2', '  T', ...[...COLUMNS, ...(bias ? ['bh1', 'bh2', 'bo'] : [])].map((s) => s.padStart(8))].join(' ');

/** α of XOR with bias, traced or trained (trainXorWithBias's default; the demo's bias mode uses it too). */

export async function xorCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      trace: { type: 'boolean', default: false },
      format: { type: 'string', default: 'table' },
      epochs: { type: 'string' },
      bias: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(XOR_HELP);
    return 0;
  }
  const backend = choiceOption<BackendChoice>(values.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  if (values.format !== 'table' && values.format !== 'json') throw new RangeError(`--format must be table or json, got '${values.format}'`);
  const epochs = intOption(values.epochs, 'epochs', values.bias && !values.trace ? 10000 : 1);

  if (values.bias && !values.trace) {
    const { history, outputs } = await trainXorWithBias({ epochs, backend, learningRate: XOR_BIAS_LEARNING_RATE });
    const rows = XOR_INPUTS.map((x, i) => ({ input: x, target: XOR_TARGETS[i][0], output: outputs[i] }));
    const ok = rows.every((r) => Math.abs(r.output - r.target) < 0.1);
    if (values.format === 'json') {
      out(JSON.stringify({ epochs: history.epochs, loss: history.loss.at(-1), outputs: rows, withinTolerance: ok }));
    } else {
      out(`XOR with bias inputs, ${history.epochs} epochs of online SGD; final mean loss ${history.loss.at(-1)?.toExponential(3)}`);
      for (const r of rows) out(`  (${r.input.join(', ')}) → ${r.output.toFixed(4)}   target ${r.target}`);
      out(ok ? 'every output is within 0.1 of its target' : 'not yet within 0.1 of every target: train longer (--epochs)');
    }
    return ok ? 0 : 1;
  }

  const trace: XorTraceRow[] = [];
  await traceXor(backend, epochs, (r) => trace.push(r), values.bias ? { bias: true, learningRate: XOR_BIAS_LEARNING_RATE } : {});
  if (values.format === 'json') {
    out(JSON.stringify(values.trace ? trace : trace.filter((r) => r.pattern === 4)));
    return 0;
  }
  out(tableHeader(values.bias));
  for (const r of trace) if (values.trace || r.pattern === 4) out(tableRow(r));
  return 0;
}
