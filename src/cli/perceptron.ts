/**
 * `deltagpu perceptron --gate and|or|nand|xor`: the simple perceptron learning a logic gate by the
 * perceptron rule; prints the errors per epoch and the learned line, or says that none exists (XOR).
 */
import { parseArgs } from 'node:util';
import { GATES, trainGate } from '../examples/gates.ts';
import type { Gate } from '../examples/gates.ts';
import type { PerceptronTraceRow, ThresholdActivation } from '../models/perceptron.ts';
import type { BackendChoice } from '../backends/select.ts';
import { choiceOption, intOption, numberOption } from './options.ts';

export const PERCEPTRON_HELP = `deltagpu perceptron --gate and|or|nand|xor [options]
  The simple perceptron (perceptrón simple): one threshold unit, the perceptron rule Δw = α·(d − y)·x.
  --gate G              and, or, nand or xor (required)
  --activation A        step (default, 0/1), sign (−1/1) or piecewiseLinear
  --lr A                learning rate α (default 0.1)
  --epochs N            max epochs (default 100); training stops at the first epoch without errors
  --trace               print every pattern: x, d, y, e and the weights after the update
  --format table|json   table (default) or one JSON object
  --backend B           auto (default), cpu or webgpu`;

const n4 = (v: number) => (Object.is(v, -0) ? 0 : v).toFixed(4);

export async function perceptronCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      gate: { type: 'string' },
      activation: { type: 'string' },
      lr: { type: 'string' },
      epochs: { type: 'string' },
      trace: { type: 'boolean', default: false },
      format: { type: 'string', default: 'table' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(PERCEPTRON_HELP);
    return 0;
  }
  if (values.gate === undefined) throw new RangeError(`--gate is required: one of ${GATES.join(', ')}`);
  const gate = choiceOption(values.gate, 'gate', GATES, 'and') as Gate;
  const activation = choiceOption(values.activation, 'activation', ['step', 'sign', 'piecewiseLinear'] as const, 'step') as ThresholdActivation;
  const learningRate = numberOption(values.lr, 'lr', 0.1, (n) => n > 0, 'a positive number');
  const epochs = intOption(values.epochs, 'epochs', 100);
  const format = choiceOption(values.format, 'format', ['table', 'json'] as const, 'table');
  const backend = choiceOption(values.backend, 'backend', ['auto', 'cpu', 'webgpu'] as const, 'auto') as BackendChoice;

  const trace: PerceptronTraceRow[] = [];
  const r = await trainGate(gate, { learningRate, epochs, activation, backend, trace: values.trace ? (row) => trace.push(row) : undefined });
  if (format === 'json') {
    const { line, ...rest } = r;
    out(JSON.stringify({ ...rest, line, ...(values.trace ? { trace } : {}) }));
    return 0;
  }
  if (values.trace) {
    out('epoch pat  x1  x2   d        y        e       w1       w2        b');
    for (const t of trace) {
      out([String(t.epoch).padStart(5), String(t.pattern + 1).padStart(3), ...t.input.map((v) => String(v).padStart(3)), String(t.target).padStart(3), ...[t.output, t.error, ...t.weights, t.bias].map((v) => n4(v).padStart(8))].join(' '));
    }
  }
  out(`${gate.toUpperCase()} with a ${activation} unit, α = ${learningRate}: errors per epoch ${r.errorsPerEpoch.join(' ')}`);
  if (r.converged) {
    const { A, B, C } = r.line;
    out(`converged in ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}: w = (${n4(A)}, ${n4(B)}), bias ${n4(C)}`);
    const term = (v: number, name: string) => `${v < 0 ? '−' : '+'} ${n4(Math.abs(v))}${name}`;
    out(`separating line: ${n4(A)}·x ${term(B, '·y')} ${term(C, '')} = 0`);
  } else if (gate === 'xor') {
    out(`not converged after ${r.epochs} epochs: no straight line separates XOR's classes, so every epoch misclassifies some pattern — a hidden layer is needed (deltagpu xor)`);
  } else {
    out(`not converged after ${r.epochs} epochs: train longer (--epochs) or change --lr`);
  }
  return 0;
}
