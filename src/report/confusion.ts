/**
 * The confusion matrix printed after training: rows are the true class, columns the predicted class, so a
 * row's off-diagonal entries say what that digit is mistaken for (4 → 9, 7 → 2, …), which a single accuracy
 * number hides.
 */

export interface ConfusionMatrix {
  classes: number;
  /** counts[t * classes + p]: samples of true class t predicted as p. */
  counts: Uint32Array;
}

export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = 10): ConfusionMatrix {
  if (labels.length !== predicted.length) {
    throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`);
  }
  const counts = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new RangeError(`confusionMatrix: label ${t} at index ${i} is outside 0..${classes - 1}`);
    if (!Number.isInteger(p) || p < 0 || p >= classes) throw new RangeError(`confusionMatrix: prediction ${p} at index ${i} is outside 0..${classes - 1}`);
    counts[t * classes + p]++;
  }
  return { classes, counts };
}

/** Index of the largest value in each row of a rows×cols score matrix (ties go to the lower class). */
export function argmaxRows(scores: { data: ArrayLike<number>; rows: number; cols: number }): Uint8Array {
  const out = new Uint8Array(scores.rows);
  for (let r = 0; r < scores.rows; r++) {
    let best = 0;
    for (let c = 1; c < scores.cols; c++) if (scores.data[r * scores.cols + c] > scores.data[r * scores.cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction correct (the trace over the total); 0 for an empty matrix rather than NaN. */
export function accuracyOf(cm: ConfusionMatrix): number {
  let right = 0, total = 0;
  for (let t = 0; t < cm.classes; t++) {
    for (let p = 0; p < cm.classes; p++) {
      total += cm.counts[t * cm.classes + p];
      if (t === p) right += cm.counts[t * cm.classes + p];
    }
  }
  return total > 0 ? right / total : 0;
}

/** Recall per class (correct / samples of that class); NaN for a class with no samples, shown as "-". */
export function recallPerClass(cm: ConfusionMatrix): number[] {
  const out: number[] = [];
  for (let t = 0; t < cm.classes; t++) {
    let row = 0;
    for (let p = 0; p < cm.classes; p++) row += cm.counts[t * cm.classes + p];
    out.push(row > 0 ? cm.counts[t * cm.classes + t] / row : NaN);
  }
  return out;
}

/** Precision per class (correct / predicted as that class); NaN if never predicted. */
export function precisionPerClass(cm: ConfusionMatrix): number[] {
  const out: number[] = [];
  for (let p = 0; p < cm.classes; p++) {
    let col = 0;
    for (let t = 0; t < cm.classes; t++) col += cm.counts[t * cm.classes + p];
    out.push(col > 0 ? cm.counts[p * cm.classes + p] / col : NaN);
  }
  return out;
}

/**
 * A right-aligned text table: one row per true class with its recall, a precision row underneath, and the
 * overall accuracy. Zeros off the diagonal are shown as "." so the mistakes stand out.
 *
 *   true\pred     0     1 …     9  recall
 *           0   975     . …     1   99.5%
 */
export function renderConfusion(cm: ConfusionMatrix, options: { names?: string[] } = {}): string {
  const k = cm.classes;
  const names = options.names ?? Array.from({ length: k }, (_, i) => String(i));
  if (names.length !== k) throw new RangeError(`renderConfusion: ${names.length} names for ${k} classes`);
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
  const cell = (t: number, p: number) => {
    const v = cm.counts[t * k + p];
    return v === 0 && t !== p ? '.' : String(v);
  };
  const recall = recallPerClass(cm);
  const precision = precisionPerClass(cm);
  const corner = 'true\\pred';
  const labelW = Math.max(corner.length, 'precision'.length, ...names.map((n) => n.length));
  // 6 fits "100.0%" in the precision row; columns are also separated by a space, so nothing ever touches.
  let colW = Math.max(...names.map((n) => n.length), 6);
  for (let i = 0; i < k * k; i++) colW = Math.max(colW, String(cm.counts[i]).length);
  const recallW = 'recall'.length + 1;
  const lines: string[] = [];
  const row = (label: string, cells: string[], tail: string) =>
    `${label.padStart(labelW)} ${cells.map((c) => c.padStart(colW)).join(' ')}  ${tail.padStart(recallW)}`.trimEnd();
  lines.push(row(corner, names, 'recall'));
  for (let t = 0; t < k; t++) lines.push(row(names[t], names.map((_, p) => cell(t, p)), pct(recall[t])));
  lines.push(row('precision', precision.map(pct), ''));
  let total = 0;
  for (const v of cm.counts) total += v;
  lines.push(`accuracy ${pct(accuracyOf(cm))} (${Math.round(accuracyOf(cm) * total)} of ${total})`);
  return lines.join('\n');
}
