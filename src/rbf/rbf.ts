/**
 * The RBF network's hidden layer (Redes de Base Radial): K radial units, each with a centre c_j and a
 * width σ_j, answering r_j² = ‖x − c_j‖² with
 *   gaussian    φ_j = exp(−r_j² / (2σ_j²))          thinPlate   φ_j = r_j²·ln r_j
 * The lecture trains an RBF network in two stages, and so does this layer: the centres come from a seeded
 * k-means on the training patterns (or are given), the widths from the clusters,
 *   σ_j² = (1/N_j)·Σ_{x ∈ cluster j} ‖x − c_j‖²
 * (or are given), and then only the dense output layer after it learns, by the delta rule on φ. So inside
 * `sequential([rbf(...), dense(...)])` this layer is a fixed map from x to φ, adapted at the first fit and
 * computed on the model's backend: on the GPU as one matmul X·Cᵀ plus the rbf epilogue.
 *
 * Width floor: a cluster whose patterns all sit on its centre (one pattern, or duplicates) has σ² = 0,
 * which would make φ a spike. It gets σ_j² = ½·min_{k≠j} ‖c_j − c_k‖² instead (half the squared distance
 * to the nearest other centre), or 1 when there is no other centre.
 *
 * σ_j is held at float32 precision (σ_j² = fround(σ_j)², kept in float64): like the weights and centres it
 * then fits a float32 tensor exactly, so a saved model (src/io/model-rbf.ts) loads with the same σ_j² bit
 * for bit and predicts the same. The rounding moves σ by at most 6e-8 of itself.
 */
import { rbfFeaturesCpu } from '../backends/cpu/rbf.ts';
import type { RadialBasis } from '../backends/cpu/rbf.ts';
import { rbfFeaturesGpu } from '../backends/webgpu/rbf.ts';
import { GpuMemory } from '../backends/webgpu/memory.ts';
import { Kernels } from '../backends/webgpu/kernels.ts';
import type { MatmulKernel } from '../backends/webgpu/kernels.ts';
import { kMeans } from './kmeans.ts';
import type { DistanceFn } from './kmeans.ts';
import { toMatrix } from '../tensor.ts';
import type { Matrix, MatrixLike } from '../tensor.ts';
import { checkFinite } from '../validate.ts';
import type { Backend } from '../backend.ts';

export type RbfBasis = 'gaussian' | 'thinPlate';
export const RBF_BASES: readonly RbfBasis[] = ['gaussian', 'thinPlate'];

/** The largest float32 and the smallest positive one: the range an adapted σ is clamped to. */
const F32_MAX = Math.fround(3.4028234663852886e38);
const F32_MIN = 2 ** -149;

/** σ² for a width σ, with σ rounded to float32 first (see the file comment). */
function squaredF32(sigma: number): number {
  const s = Math.fround(sigma);
  return s * s;
}

export interface RbfOptions {
  /** the centres, units × inputs (default: k-means on the first fit's patterns) */
  centers?: MatrixLike;
  /** fixed width(s) σ: one for every unit or one per unit (default: from the clusters) */
  sigma?: number | number[];
  basis?: RbfBasis;
  /** k-means seed (default 1) and iteration cap (default 50) */
  seed?: number;
  maxIterations?: number;
}

/** What a GPU-backed backend offers the layer; WebGpuBackend has these. */
interface GpuLike {
  context: { device: GPUDevice };
  defaultKernel: MatmulKernel;
}

const gpuTools = new WeakMap<GPUDevice, { mem: GpuMemory; kernels: Kernels }>();

function tools(device: GPUDevice) {
  let t = gpuTools.get(device);
  if (!t) {
    t = { mem: new GpuMemory(device), kernels: new Kernels(device) };
    gpuTools.set(device, t);
  }
  return t;
}

export class RbfLayer {
  readonly kind = 'rbf' as const;
  readonly inputs: number;
  readonly units: number;
  readonly basis: RbfBasis;
  readonly seed: number;
  readonly maxIterations: number;
  /** units × inputs, row-major; null until given or adapted */
  centers: Float32Array | null = null;
  /** σ_j² per unit; null until given or adapted */
  sigma2: Float64Array | null = null;
  /** k-means iterations of the last adapt (0 when the centres were given) */
  iterations = 0;

  constructor(inputs: number, units: number, options: RbfOptions = {}) {
    if (!Number.isInteger(inputs) || inputs <= 0) throw new RangeError(`rbf: inputs must be a positive integer, got ${String(inputs)}`);
    if (!Number.isInteger(units) || units <= 0) throw new RangeError(`rbf: the number of centres must be a positive integer, got ${String(units)}`);
    this.inputs = inputs;
    this.units = units;
    const basis = options.basis ?? 'gaussian';
    if (basis !== 'gaussian' && basis !== 'thinPlate') throw new RangeError(`rbf: basis must be gaussian or thinPlate, got '${String(basis)}'`);
    this.basis = basis;
    this.seed = options.seed ?? 1;
    this.maxIterations = options.maxIterations ?? 50;
    if (options.centers !== undefined) {
      const c = toMatrix(options.centers, 'rbf centers');
      if (c.rows !== units || c.cols !== inputs) throw new RangeError(`rbf: centers must be ${units}×${inputs} (centres × inputs), got ${c.rows}×${c.cols}`);
      checkFinite(c, 'rbf centers');
      this.centers = Float32Array.from(c.data);
    }
    if (options.sigma !== undefined) {
      const s = typeof options.sigma === 'number' ? new Array<number>(units).fill(options.sigma) : options.sigma;
      if (!Array.isArray(s) || s.length !== units) throw new RangeError(`rbf: sigma must be one number or ${units} numbers (one per centre), got ${Array.isArray(s) ? s.length : typeof s}`);
      s.forEach((v, j) => {
        const which = Array.isArray(options.sigma) ? ` for centre ${j}` : '';
        if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`rbf: sigma must be > 0, got ${v}${which}`);
        const f = Math.fround(v);
        if (!(f > 0 && f <= F32_MAX)) throw new RangeError(`rbf: sigma ${v}${which} is outside float32's range (${F32_MIN} to ${F32_MAX})`);
      });
      this.sigma2 = Float64Array.from(s, squaredF32);
    }
  }

  get ready(): boolean {
    return this.centers !== null && this.sigma2 !== null;
  }

  /** r² of every row of x to every centre, on the backend's device when it has one. */
  private distances(backend: Backend | null): DistanceFn {
    const gpu = backend?.name === 'webgpu' ? (backend as unknown as GpuLike) : null;
    if (gpu) {
      const { mem, kernels } = tools(gpu.context.device);
      return (x, c) => rbfFeaturesGpu(mem, kernels, gpu.defaultKernel, x, c, new Float64Array(c.length / x.cols).fill(1), 'distance');
    }
    return async (x, c) => rbfFeaturesCpu(x, c, new Float64Array(c.length / x.cols).fill(1), 'distance');
  }

  /** Places the centres (k-means) and widths (cluster spread) that were not given, from training patterns x. */
  async adapt(x: Matrix, backend: Backend | null = null): Promise<void> {
    if (x.cols !== this.inputs) throw new RangeError(`rbf: x has ${x.cols} columns but the layer expects ${this.inputs} inputs`);
    checkFinite(x, 'x');
    if (this.ready) return;
    const K = this.units;
    const D = this.inputs;
    let assignment: Int32Array;
    let d2: Float64Array;
    if (this.centers === null) {
      if (K > x.rows) throw new RangeError(`rbf: ${K} centres but only ${x.rows} training patterns; k-means needs at least one pattern per centre`);
      const km = await kMeans(x, K, this.distances(backend), { seed: this.seed, maxIterations: this.maxIterations });
      this.centers = km.centers;
      this.iterations = km.iterations;
      assignment = km.assignment;
      d2 = km.distance2;
    } else {
      // given centres: each pattern belongs to its nearest one
      const all = await this.distances(backend)(x, this.centers);
      assignment = new Int32Array(x.rows);
      d2 = new Float64Array(x.rows);
      for (let r = 0; r < x.rows; r++) {
        let best = 0;
        for (let j = 1; j < K; j++) if (all[r * K + j] < all[r * K + best]) best = j;
        assignment[r] = best;
        d2[r] = all[r * K + best];
      }
    }
    if (this.sigma2 === null) {
      const sum = new Float64Array(K);
      const count = new Int32Array(K);
      assignment.forEach((j, r) => {
        sum[j] += d2[r];
        count[j]++;
      });
      const c = this.centers;
      const width2 = (s2: number) => squaredF32(Math.min(Math.max(Math.sqrt(s2), F32_MIN), F32_MAX));
      this.sigma2 = Float64Array.from(sum, (s, j) => {
        const s2 = count[j] > 0 ? s / count[j] : 0;
        if (s2 > 0) return width2(s2);
        let nearest = Infinity;
        for (let k = 0; k < K; k++) {
          if (k === j) continue;
          let d = 0;
          for (let i = 0; i < D; i++) d += (c[j * D + i] - c[k * D + i]) ** 2;
          nearest = Math.min(nearest, d);
        }
        return Number.isFinite(nearest) && nearest > 0 ? width2(nearest / 2) : 1;
      });
    }
  }

  /** φ for every row of x (rows × units), on the backend's device when it has one. */
  async features(xIn: MatrixLike, backend: Backend | null = null): Promise<Matrix> {
    const x = toMatrix(xIn, 'x');
    if (!this.centers || !this.sigma2) throw new Error('rbf: the layer has no centres yet; fit the model (k-means places them) or give centers and sigma');
    if (x.cols !== this.inputs) throw new RangeError(`rbf: x has ${x.cols} columns but the layer expects ${this.inputs} inputs`);
    checkFinite(x, 'x');
    const basis: RadialBasis = this.basis;
    const gpu = backend?.name === 'webgpu' ? (backend as unknown as GpuLike) : null;
    let data: Float32Array;
    if (gpu) {
      const { mem, kernels } = tools(gpu.context.device);
      data = await rbfFeaturesGpu(mem, kernels, gpu.defaultKernel, x, this.centers, this.sigma2, basis);
    } else {
      data = rbfFeaturesCpu(x, this.centers, this.sigma2, basis);
    }
    return { data, rows: x.rows, cols: this.units };
  }

  /** σ_j per unit (the lecture's width), once known. */
  get sigma(): number[] | null {
    return this.sigma2 ? Array.from(this.sigma2, Math.sqrt) : null;
  }
}

/** rbf(inputs, centres, {centers, sigma, basis, seed}): a radial-basis layer, the first layer of a sequential model. */
export function rbf(inputs: number, units: number, options: RbfOptions = {}): RbfLayer {
  return new RbfLayer(inputs, units, options);
}
