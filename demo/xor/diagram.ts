/**
 * The 2-2-1 network as an SVG: inputs on the left, h1 and h2, o1 on the right; each edge labelled with its
 * weight (thicker for larger |w|, blue positive, orange negative), each node with its current value.
 */
import type { XorTraceRow } from '../../src/index.ts';

type Weights = Pick<XorTraceRow, 'weightsHidden' | 'weightsOutput' | 'biasHidden' | 'biasOutput'>;
interface Values { input?: number[]; hidden?: number[]; output?: number[] }

const f = (v: number) => v.toFixed(4);
const colour = (w: number) => (w >= 0 ? '#1f77b4' : '#ff7f0e');
const width = (w: number) => (1 + Math.min(6, Math.abs(w) * 3)).toFixed(1);

const X = [{ x: 60, y: 80 }, { x: 60, y: 220 }];
const H = [{ x: 250, y: 80 }, { x: 250, y: 220 }];
const O = { x: 440, y: 150 };
const B = { x: 155, y: 290 }; // the +1 input of the biases
const BO = { x: 345, y: 290 };

function edge(a: { x: number; y: number }, b: { x: number; y: number }, w: number, name: string, at = 0.3): string {
  const lx = a.x + (b.x - a.x) * at;
  const ly = a.y + (b.y - a.y) * at;
  return `<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${colour(w)}" stroke-width="${width(w)}" opacity="0.75"/>` +
    `<text x="${lx}" y="${ly - 6}" text-anchor="middle" class="w"><tspan class="wn">${name}</tspan> ${f(w)}</text>`;
}

function node(p: { x: number; y: number }, name: string, value: number | undefined, r = 26): string {
  return `<circle cx="${p.x}" cy="${p.y}" r="${r}" class="node"/>` +
    `<text x="${p.x}" y="${p.y - 3}" text-anchor="middle" class="nn">${name}</text>` +
    `<text x="${p.x}" y="${p.y + 13}" text-anchor="middle" class="nv">${value === undefined ? '–' : f(value)}</text>`;
}

export function renderDiagram(el: HTMLElement, w: Weights, v: Values): void {
  const parts: string[] = [];
  const bias = w.biasHidden !== undefined;
  for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) parts.push(edge(X[i], H[j], w.weightsHidden[j][i], `w${j + 1}${i + 1}`, i === j ? 0.3 : 0.72));
  for (let j = 0; j < 2; j++) parts.push(edge(H[j], O, w.weightsOutput[0][j], `wo${j + 1}`, 0.5));
  if (bias) {
    for (let j = 0; j < 2; j++) parts.push(edge(B, H[j], w.biasHidden![j], `b${j + 1}`, 0.55));
    parts.push(edge(BO, O, w.biasOutput![0], 'bo', 0.5));
    parts.push(node(B, '+1', undefined, 16).replace('>–<', '><'), node(BO, '+1', undefined, 16).replace('>–<', '><'));
  }
  parts.push(node(X[0], 'x1', v.input?.[0]).replace(/(\d)\.0000</, '$1<'), node(X[1], 'x2', v.input?.[1]).replace(/(\d)\.0000</, '$1<'));
  parts.push(node(H[0], 'h1', v.hidden?.[0]), node(H[1], 'h2', v.hidden?.[1]), node(O, 'o1', v.output?.[0]));
  el.innerHTML = `<svg viewBox="0 0 500 ${bias ? 320 : 270}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
