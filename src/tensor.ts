/**
 * A row-major matrix: one pattern (example) per row. Everything the engine moves around is one of these,
 * so shapes are always explicit and checked, never guessed from array lengths.
 */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Float32 is what the engine computes in; Float64 is for gradient checks against finite differences. */
export type Floats = Float32Array | Float64Array;

/** What the API accepts as a data set: nested arrays (as in the lectures) or a Matrix. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

/** Turns nested arrays into a Matrix; `what` names the argument in error messages. */
export function toMatrix(x: MatrixLike, what: string): Matrix {
  if (typeof x !== 'object' || x === null) {
    throw new TypeError(`${what} must be an array of rows or a {data: Float32Array, rows, cols} matrix, got ${x === null ? 'null' : typeof x}`);
  }
  if (!Array.isArray(x)) {
    const m = x as Matrix;
    if (!(m.data instanceof Float32Array) || !Number.isInteger(m.rows) || !Number.isInteger(m.cols)) {
      throw new TypeError(`${what} must be an array of rows or a {data: Float32Array, rows, cols} matrix`);
    }
    if (m.data.length !== m.rows * m.cols) {
      throw new RangeError(`${what}: data has ${m.data.length} values but rows×cols = ${m.rows}×${m.cols} = ${m.rows * m.cols}`);
    }
    return m;
  }
  const rowsIn = x as readonly (readonly number[])[];
  const rows = rowsIn.length;
  for (let r = 0; r < rows; r++) {
    const row: unknown = rowsIn[r];
    if (!Array.isArray(row)) {
      const got = row === null ? 'null' : typeof row === 'object' ? `a ${(row as object).constructor?.name ?? 'object'}` : `${typeof row === 'string' ? JSON.stringify(row) : String(row)} (${typeof row})`;
      throw new TypeError(`${what}: row ${r} is ${got}, expected an array of numbers (x is a list of rows, one per pattern)`);
    }
  }
  const cols = rows > 0 ? rowsIn[0].length : 0;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = rowsIn[r];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new RangeError(`${what}: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${cols} like row 0`);
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      // Float32Array would read null, '' and false as 0 and true as 1: a data bug trained on silently.
      if (typeof v !== 'number') {
        throw new TypeError(`${what}: row ${r}, column ${c} is ${v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v)} (${v === null ? 'null' : typeof v}), expected a number`);
      }
      data[r * cols + c] = v;
    }
  }
  return { data, rows, cols };
}

export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  return toMatrix({ data, rows, cols }, 'matrix');
}

/** Nested arrays from a Matrix, for printing and for tests. */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < m.rows; r++) out.push(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
  return out;
}

/** Rows `indices` of m, in that order (used for splits and shuffles on the host). */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float32Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    data.set(m.data.subarray(indices[i] * m.cols, (indices[i] + 1) * m.cols), i * m.cols);
  }
  return { data, rows: indices.length, cols: m.cols };
}
