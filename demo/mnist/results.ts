/**
 * After training (or loading a model): the confusion matrix over the test digits, as a coloured table,
 * and a gallery of misclassified test digits; choosing one shows the network's ten probabilities for it.
 */
import { argmaxRows, confusionMatrix, recallPerClass } from '../../src/index.ts';
import type { ConfusionMatrix, Dataset, Matrix } from '../../src/index.ts';
import { digitAt } from './data.ts';
import { paint, renderProbabilities } from './draw.ts';

const GALLERY = 36;

export function renderConfusionTable(el: HTMLElement, cm: ConfusionMatrix): void {
  const k = cm.classes;
  let max = 1;
  for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) if (t !== p) max = Math.max(max, cm.counts[t * k + p]);
  const recall = recallPerClass(cm);
  const head = `<tr><th scope="col">true\\pred</th>${Array.from({ length: k }, (_, p) => `<th scope="col">${p}</th>`).join('')}<th scope="col">recall</th></tr>`;
  const rows = Array.from({ length: k }, (_, t) => {
    const cells = Array.from({ length: k }, (_, p) => {
      const n = cm.counts[t * k + p];
      // the diagonal in blue, mistakes in orange, deeper for more
      const style = n === 0 ? '' : t === p ? 'background:#dbe8f5' : `background:rgba(255,127,14,${(0.15 + 0.75 * (n / max)).toFixed(2)})`;
      return `<td style="${style}">${n === 0 && t !== p ? '·' : n}</td>`;
    });
    return `<tr><th scope="row">${t}</th>${cells.join('')}<td class="muted">${(recall[t] * 100).toFixed(0)}%</td></tr>`;
  });
  el.innerHTML = `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Fills the confusion matrix and the gallery from the test set's predicted probabilities. */
export function showResults(test: Dataset, probs: Matrix): ConfusionMatrix {
  const predicted = argmaxRows(probs);
  const cm = confusionMatrix(test.labels, predicted);
  renderConfusionTable(document.getElementById('confusion')!, cm);
  const gallery = document.getElementById('gallery')!;
  const caption = document.getElementById('gallery-caption')!;
  const probsEl = document.getElementById('gallery-probs')!;
  const wrong: number[] = [];
  for (let i = 0; i < predicted.length; i++) if (predicted[i] !== test.labels[i]) wrong.push(i);
  document.getElementById('wrong-count')!.textContent = `(${wrong.length} of ${predicted.length}${wrong.length > GALLERY ? `, the first ${GALLERY}` : ''})`;
  const select = (i: number, button: HTMLButtonElement) => {
    gallery.querySelectorAll('[aria-pressed=true]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    button.setAttribute('aria-pressed', 'true');
    const p = probs.data.subarray(i * 10, i * 10 + 10);
    caption.textContent = `test digit #${i}: labelled ${test.labels[i]}, predicted ${predicted[i]} (${(p[predicted[i]] * 100).toFixed(1)}%)`;
    renderProbabilities(probsEl, p, predicted[i]);
  };
  gallery.replaceChildren(
    ...wrong.slice(0, GALLERY).map((i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'thumb';
      b.setAttribute('role', 'listitem');
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-label', `test digit ${i}: labelled ${test.labels[i]}, predicted ${predicted[i]}`);
      const c = document.createElement('canvas');
      c.width = c.height = 28;
      paint(c, digitAt(test, i));
      const tag = document.createElement('span');
      tag.textContent = `${test.labels[i]}→${predicted[i]}`;
      b.append(c, tag);
      b.addEventListener('click', () => select(i, b));
      return b;
    }),
  );
  caption.textContent = wrong.length ? 'Choose a digit to see the network’s probabilities for it.' : 'No test digit is misclassified.';
  probsEl.replaceChildren();
  return cm;
}
