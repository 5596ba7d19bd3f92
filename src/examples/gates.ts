/**
 * The perceptron lecture's logic gates: AND, OR and NAND are linearly separable and the perceptron rule
 * finds a separating line A·x + B·y + C = 0 in a few epochs; XOR is not, so some pattern is misclassified
 * in every epoch whatever the weights — the reason the lectures move on to hidden layers.
 */
import { perceptron } from '../models/perceptron.ts';
import type { PerceptronResult, PerceptronTraceRow, ThresholdActivation } from '../models/perceptron.ts';
import type { Backend } from '../backend.ts';
import type { BackendChoice } from '../backends/select.ts';

export const GATES = ['and', 'or', 'nand', 'xor'] as const;
export type Gate = (typeof GATES)[number];

export const GATE_INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

const TRUTH: Record<Gate, number[]> = {
  and: [0, 0, 0, 1],
  or: [0, 1, 1, 1],
  nand: [1, 1, 1, 0],
  xor: [0, 1, 1, 0],
};

/** Targets of a gate for a unit's range: 0/1 for step and the ramp, −1/1 for sign. */
export function gateTargets(gate: Gate, activation: ThresholdActivation = 'step'): number[][] {
  return TRUTH[gate].map((t) => [activation === 'sign' ? 2 * t - 1 : t]);
}

export interface GateResult extends PerceptronResult {
  gate: Gate;
  /** the decision boundary A·x + B·y + C = 0 (A = w1, B = w2, C = bias) */
  line: { A: number; B: number; C: number };
}

export async function trainGate(
  gate: Gate,
  options: { learningRate?: number; epochs?: number; activation?: ThresholdActivation; backend?: BackendChoice | Backend; trace?: (row: PerceptronTraceRow) => void } = {},
): Promise<GateResult> {
  if (!(GATES as readonly string[]).includes(gate)) throw new RangeError(`gate must be one of ${GATES.join(', ')}, got '${String(gate)}'`);
  const activation = options.activation ?? 'step';
  const p = perceptron(2, { activation, learningRate: options.learningRate ?? 0.1, backend: options.backend ?? 'auto' });
  try {
    const r = await p.train(GATE_INPUTS, gateTargets(gate, activation), { epochs: options.epochs ?? 100, trace: options.trace });
    return { gate, ...r, line: { A: r.weights[0], B: r.weights[1], C: r.bias } };
  } finally {
    await p.dispose();
  }
}
