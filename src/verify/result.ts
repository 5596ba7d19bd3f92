/** What one verify check found, and the worst element across the shapes it tried. */
export interface CheckResult {
  /** kernel group, e.g. "matmul regblock NT (plain)" or "activation tanh (forward f, backprop f')" */
  group: string;
  /** the matmul kernel the check ran with ("tuned" where the backend chose per shape) */
  kernel: string;
  /** shapes tried, as rows×inputs×units (steps) or M×R×N (products) */
  shapes: string[];
  /** the worst error, in the tolerance's units */
  maxError: number;
  /** the tolerance at that worst element */
  tolerance: number;
  /** why that tolerance */
  why: string;
  pass: boolean;
  /** where it failed, when it failed */
  detail?: string;
}

/** Tracks the worst error/tolerance ratio over many comparisons; the first failure keeps its detail. */
export class Worst {
  ratio = 0;
  error = 0;
  tolerance = 0;
  detail: string | undefined;

  /** Records one comparison; returns false when it failed. NaN on either side fails. */
  see(error: number, tolerance: number, where: () => string): boolean {
    const r = Number.isNaN(error) ? Infinity : error / tolerance;
    if (r > this.ratio || (r === Infinity && this.error === 0)) {
      this.ratio = r;
      this.error = Number.isNaN(error) ? NaN : error;
      this.tolerance = tolerance;
    }
    if (r <= 1) return true;
    this.detail ??= where();
    return false;
  }

  /** Compares two arrays with |a − b| ≤ tol·(1 + |b|); returns false on the first failure (or a length mismatch). */
  close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): boolean {
    if (a.length !== b.length) {
      this.ratio = Infinity;
      this.detail ??= `${what}: gpu has ${a.length} values, cpu ${b.length}`;
      return false;
    }
    let ok = true;
    for (let k = 0; k < b.length; k++) {
      const e = Math.abs(a[k] - b[k]) / (1 + Math.abs(b[k]));
      if (!this.see(e, tol, () => `${what}[${k}]: gpu ${a[k]}, cpu ${b[k]}`)) ok = false;
      if (!ok) break;
    }
    return ok;
  }

  result(group: string, kernel: string, shapes: string[], why: string): CheckResult {
    const pass = this.detail === undefined && this.ratio <= 1;
    return { group, kernel, shapes, maxError: this.error, tolerance: this.tolerance, why, pass, ...(pass ? {} : { detail: this.detail }) };
  }
}
