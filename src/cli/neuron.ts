/**
 * `deltagpu neuron`: the single sigmoid neuron's two update rules (the rule without the derivative and
 * one backpropagation gradient step), in the lecture's float64 arithmetic and on the chosen backend.
 */
import { parseArgs } from 'node:util';
import { NEURON, neuronLecture, neuronOnEngine } from '../examples/neuron.ts';
import type { BackendChoice } from '../backends/select.ts';
import { choiceOption, numberOption } from './options.ts';

export const NEURON_HELP = `deltagpu neuron [options]
  The single sigmoid neuron: x = (0.1, 0.3), d = 0.03, w = (0.5, 0.2), b = 1.83, E = ½(d − y)².
  --lr η                learning rate of both updates (default 0.01)
  --format table|json   table (default) or one JSON object
  --backend B           auto (default), cpu or webgpu: where the engine repeats both updates`;

const f9 = (v: number) => v.toFixed(9);
const params = (p: { b: number; w: number[] }) => `b = ${f9(p.b)}, w = (${p.w.map(f9).join(', ')})`;

export async function neuronCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      lr: { type: 'string' },
      format: { type: 'string', default: 'table' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(NEURON_HELP);
    return 0;
  }
  const eta = numberOption(values.lr, 'lr', NEURON.eta, (n) => n > 0, 'a positive number');
  const format = choiceOption(values.format, 'format', ['table', 'json'] as const, 'table');
  const backend = choiceOption(values.backend, 'backend', ['auto', 'cpu', 'webgpu'] as const, 'auto') as BackendChoice;
  const lecture = neuronLecture(eta);
  const engine = await neuronOnEngine(backend, eta);
  if (format === 'json') {
    out(JSON.stringify({ ...lecture, engine }));
    return 0;
  }
  out(`s = ${f9(lecture.s)}   y = f(s) = ${f9(lecture.y)}   E = ½(d − y)² = ${f9(lecture.E)}`);
  out(`rule without the derivative, W ← W + η·(d − y)·X (η = ${eta}):`);
  out(`  ${params(lecture.ruleWithoutDerivative)}   E = ${f9(lecture.ruleWithoutDerivative.E)}`);
  out(`gradient ∂E/∂W = −(d − y)·y(1 − y)·X:  ∂E/∂b = ${f9(lecture.gradient.b)}, ∂E/∂w = (${lecture.gradient.w.map(f9).join(', ')})`);
  out(`one gradient step, W ← W − η·∂E/∂W:`);
  out(`  ${params(lecture.afterGradientStep)}   E = ${f9(lecture.afterGradientStep.E)}`);
  out(`the same steps on the ${engine.backend} backend (float32):`);
  out(`  rule without the derivative: ${params(engine.ruleWithoutDerivative)}   E = ${f9(engine.ruleWithoutDerivative.E)}`);
  out(`  gradient step:               ${params(engine.afterGradientStep)}   E = ${f9(engine.afterGradientStep.E)}`);
  return 0;
}
