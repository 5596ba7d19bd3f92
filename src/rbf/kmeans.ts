/**
 * Seeded k-means (Lloyd's algorithm with k-means++ seeding), which places an RBF network's centres.
 *
 *   seed:    the first centre is a random pattern; each next one is a pattern drawn with probability
 *            ∝ its squared distance to the nearest centre so far (k-means++), so centres start spread out
 *   repeat:  assign every pattern to its nearest centre (r² from `distances`: the CPU reference or the GPU
 *            matmul + epilogue), move every centre to the mean of its patterns; a centre left with no
 *            pattern jumps to the pattern farthest from its own centre
 *   until:   no assignment changes, or maxIterations.
 */
import { Random } from '../random.ts';
import type { Matrix } from '../tensor.ts';

/** Squared distances (rows × centres) of every row of x to every centre (centres × x.cols). */
export type DistanceFn = (x: Matrix, centers: Float32Array) => Promise<Float32Array>;

export interface KMeansResult {
  centers: Float32Array;
  /** nearest centre of each pattern */
  assignment: Int32Array;
  /** r² of each pattern to its centre, after the last move */
  distance2: Float64Array;
  iterations: number;
  converged: boolean;
}

function dist2(x: Matrix, r: number, c: Float32Array, j: number): number {
  const D = x.cols;
  let s = 0;
  for (let i = 0; i < D; i++) s += (x.data[r * D + i] - c[j * D + i]) ** 2;
  return s;
}

function seedCenters(x: Matrix, k: number, rng: Random): Float32Array {
  const D = x.cols;
  const centers = new Float32Array(k * D);
  const near = new Float64Array(x.rows).fill(Infinity);
  let pick = rng.int(x.rows);
  for (let j = 0; j < k; j++) {
    centers.set(x.data.subarray(pick * D, (pick + 1) * D), j * D);
    let total = 0;
    for (let r = 0; r < x.rows; r++) {
      near[r] = Math.min(near[r], dist2(x, r, centers, j));
      total += near[r];
    }
    if (j + 1 === k) break;
    if (total === 0) {
      pick = rng.int(x.rows); // every pattern sits on a centre already: duplicates; Lloyd's step sorts it out
      continue;
    }
    let u = rng.next() * total;
    pick = x.rows - 1;
    for (let r = 0; r < x.rows; r++) {
      u -= near[r];
      if (u < 0) {
        pick = r;
        break;
      }
    }
  }
  return centers;
}

export async function kMeans(x: Matrix, k: number, distances: DistanceFn, options: { seed?: number; maxIterations?: number } = {}): Promise<KMeansResult> {
  const D = x.cols;
  const N = x.rows;
  const rng = new Random(options.seed ?? 1);
  const maxIterations = options.maxIterations ?? 50;
  const centers = seedCenters(x, k, rng);
  const assignment = new Int32Array(N).fill(-1);
  const distance2 = new Float64Array(N);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const d2 = await distances(x, centers);
    let changed = 0;
    for (let r = 0; r < N; r++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (d2[r * k + j] < d2[r * k + best]) best = j;
      if (assignment[r] !== best) changed++;
      assignment[r] = best;
      distance2[r] = d2[r * k + best];
    }
    if (changed === 0) {
      converged = true;
      break;
    }
    const sums = new Float64Array(k * D);
    const counts = new Int32Array(k);
    for (let r = 0; r < N; r++) {
      const j = assignment[r];
      counts[j]++;
      for (let i = 0; i < D; i++) sums[j * D + i] += x.data[r * D + i];
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (let i = 0; i < D; i++) centers[j * D + i] = sums[j * D + i] / counts[j];
        continue;
      }
      // an empty cluster takes the pattern worst served by its centre (and that pattern leaves its old one)
      let far = 0;
      for (let r = 1; r < N; r++) if (distance2[r] > distance2[far]) far = r;
      centers.set(x.data.subarray(far * D, (far + 1) * D), j * D);
      distance2[far] = 0;
      assignment[far] = j;
    }
  }
  // the final r² to the final centres (the loop may have moved them after the last assignment)
  for (let r = 0; r < N; r++) distance2[r] = dist2(x, r, centers, assignment[r]);
  return { centers, assignment, distance2, iterations, converged };
}
