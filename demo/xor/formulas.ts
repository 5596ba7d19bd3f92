/**
 * The lecture's formulas for one presented pattern, each filled in with that step's numbers, and the table
 * of every pattern shown so far. The numbers are the trace's (the library's traceXor); the right-hand sides
 * shown here only spell out how each one follows from the others.
 */
import type { XorTraceRow } from '../../src/index.ts';

export type Weights = Pick<XorTraceRow, 'weightsHidden' | 'weightsOutput' | 'biasHidden' | 'biasOutput'>;

const f = (v: number) => v.toFixed(4);
const s = (v: number) => (v < 0 ? `(${f(v)})` : f(v));

/** Lines "name = formula = numbers = value" for row `r`, presented with weights `before`, learning rate α. */
export function formulaLines(r: XorTraceRow, before: Weights, alpha: number): string[] {
  const [x1, x2] = r.input;
  const T = r.target[0];
  const [h1, h2] = r.hidden;
  const o = r.output[0];
  const Wh = before.weightsHidden;
  const Wo = before.weightsOutput[0];
  const bh = before.biasHidden;
  const bo = before.biasOutput;
  const lines: string[] = [`pattern ${r.pattern} of epoch ${r.epoch}: x = (${x1}, ${x2}), T = ${T}, α = ${alpha}`, ''];
  lines.push('forward');
  for (let j = 0; j < 2; j++) {
    const b = bh ? ` + b${j + 1}` : '';
    const bn = bh ? ` + ${s(bh[j])}` : '';
    lines.push(`  h${j + 1} = f(w${j + 1}1·x1 + w${j + 1}2·x2${b}) = f(${s(Wh[j][0])}·${x1} + ${s(Wh[j][1])}·${x2}${bn}) = ${f(r.hidden[j])}`);
  }
  lines.push(`  o1 = f(wo1·h1 + wo2·h2${bo ? ' + bo' : ''}) = f(${s(Wo[0])}·${f(h1)} + ${s(Wo[1])}·${f(h2)}${bo ? ` + ${s(bo[0])}` : ''}) = ${f(o)}`);
  lines.push('', 'backward (f = sigmoid, f′ = f·(1−f))');
  lines.push(`  Δo  = o·(1−o)·(T−o) = ${f(o)}·(1−${f(o)})·(${T}−${f(o)}) = ${f(r.deltaOutput[0])}`);
  for (let j = 0; j < 2; j++) {
    const h = r.hidden[j];
    lines.push(`  Δh${j + 1} = h${j + 1}·(1−h${j + 1})·wo${j + 1}·Δo = ${f(h)}·(1−${f(h)})·${s(Wo[j])}·${s(r.deltaOutput[0])} = ${f(r.deltaHidden[j])}`);
  }
  lines.push('', 'new weights (w ← w + α·Δ·input, the Δh from the output weights before this update)');
  for (let j = 0; j < 2; j++) {
    lines.push(`  wo${j + 1} = ${s(Wo[j])} + ${alpha}·${s(r.deltaOutput[0])}·${f(r.hidden[j])} = ${f(r.weightsOutput[0][j])}`);
  }
  if (bo && r.biasOutput) lines.push(`  bo  = ${s(bo[0])} + ${alpha}·${s(r.deltaOutput[0])}·1 = ${f(r.biasOutput[0])}`);
  for (let j = 0; j < 2; j++) {
    for (let i = 0; i < 2; i++) {
      lines.push(`  w${j + 1}${i + 1} = ${s(Wh[j][i])} + ${alpha}·${s(r.deltaHidden[j])}·${r.input[i]} = ${f(r.weightsHidden[j][i])}`);
    }
    if (bh && r.biasHidden) lines.push(`  b${j + 1}  = ${s(bh[j])} + ${alpha}·${s(r.deltaHidden[j])}·1 = ${f(r.biasHidden[j])}`);
  }
  return lines;
}

const HEAD = ['epoch', 'pat', 'x1', 'x2', 'T', 'h1', 'h2', 'o1', 'Δo', 'Δh1', 'Δh2', 'w11', 'w12', 'w21', 'w22', 'wo1', 'wo2'];

/** The table of `rows`; row `selected` (whose formulas are shown) is marked; each row can be chosen by click or keyboard. */
export function renderTable(el: HTMLElement, rows: XorTraceRow[], selected: number): void {
  const bias = rows.some((r) => r.biasHidden);
  const head = [...HEAD, ...(bias ? ['b1', 'b2', 'bo'] : [])];
  const body = rows.map((r, k) => {
    const cells = [r.epoch, r.pattern, ...r.input, r.target[0]].map(String);
    const nums = [...r.hidden, ...r.output, ...r.deltaOutput, ...r.deltaHidden, ...r.weightsHidden.flat(), ...r.weightsOutput.flat(), ...(r.biasHidden ?? []), ...(r.biasOutput ?? [])].map(f);
    const tds = [...cells, ...nums].map((c) => `<td>${c}</td>`).join('');
    const label = `show the formulas of pattern ${r.pattern}, epoch ${r.epoch}`;
    return `<tr tabindex="0" data-row="${k}" aria-label="${label}"${k === selected ? ' class="current" aria-current="true"' : ''}>${tds}</tr>`;
  });
  el.innerHTML = `<table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${body.join('') || `<tr><td colspan="${head.length}" class="muted">no pattern presented yet</td></tr>`}</tbody></table>`;
}
