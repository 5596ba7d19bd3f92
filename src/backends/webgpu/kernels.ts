/**
 * Compute pipelines, assembled from the WGSL files and specialised with override constants, cached so
 * a network compiles each distinct kernel once. TypeScript picks files and constants; the math is WGSL.
 */
import { assemble } from './shaders.ts';

/**
 * The matmul implementations: the readable reference (naive), register blocking (regblock, 8×4 per invocation;
 * wide, 8×8), wide with loads shared across a subgroup quad (subgroup), 32×32 and 64×64 shared-memory tiles,
 * and split-K for narrow outputs. The tuner (tuner.ts, tuning-race.ts) times the candidates per shape.
 */
export type MatmulKernel = 'naive' | 'regblock' | 'wide' | 'subgroup' | 'tiled' | 'tiled64' | 'splitk';
export const MATMUL_KERNELS: readonly MatmulKernel[] = ['naive', 'regblock', 'wide', 'subgroup', 'tiled', 'tiled64', 'splitk'];

/** NT: C = A·Bᵀ (forward), NN: C = A·B (backprop), TN: C = Aᵀ·B (weight gradient). */
/**
 * Kernels that stage tiles in workgroup memory behind barriers. On a software adapter (SwiftShader) each
 * of them takes 3–10 s to compile and runs slower than the barrier-free ones (measured: bench/RESULTS.md),
 * so the tuner does not try them there.
 */
export const USES_WORKGROUP_MEMORY: Record<MatmulKernel, boolean> = { naive: false, regblock: false, wide: false, subgroup: false, tiled: true, tiled64: true, splitk: true };

/** Whether this adapter can run `kernel` (a subgroup variant needs the `subgroups` feature). */
export function matmulAvailable(kernel: MatmulKernel, features: readonly string[]): boolean {
  return !kernel.includes('subgroup') || features.includes('subgroups');
}

export type MatmulForm = 'NT' | 'NN' | 'TN';
const FORM_ID: Record<MatmulForm, number> = { NT: 0, NN: 1, TN: 2 };

/** What happens to each element of the product: see shaders/epilogue_*.wgsl. */
export type Epilogue = 'plain' | 'forward' | 'backprop' | 'update' | 'rbf';

/** Output rows and columns one workgroup covers, for dispatch sizes. */
export function matmulTile(kernel: MatmulKernel): { rows: number; cols: number } {
  if (kernel === 'naive') return { rows: 8, cols: 8 };
  if (kernel === 'regblock') return { rows: 64, cols: 32 };
  if (kernel === 'tiled64' || kernel === 'wide') return { rows: 64, cols: 64 };
  if (kernel === 'splitk') return { rows: 4, cols: 16 };
  if (kernel === 'subgroup') return { rows: 16, cols: 16 };
  return { rows: 32, cols: 32 };
}

export type Constants = Record<string, number>;

/** The element type of a product's input batch operand: float32, or 8-bit pixels packed four to a u32. */
export type MatmulOperands = 'f32' | 'u8';

/** The register-blocked kernels: they also take the first layer's batch as bytes (shaders/operand_*_u8.wgsl). */
export const BYTE_OPERAND_KERNELS: readonly MatmulKernel[] = ['regblock', 'wide', 'subgroup'];

/** Kernels whose core multiplies 4×4 blocks read by shaders/operand_{a,b}_*.wgsl, one A file and one B file. */
const BLOCK_OPERAND_KERNELS: readonly MatmulKernel[] = [...BYTE_OPERAND_KERNELS, 'splitk'];

/** The operand files a kernel's core is assembled with (none for the kernels that read A and B themselves). */
function operandFiles(kernel: MatmulKernel, form: MatmulForm, operands: MatmulOperands): string[] {
  if (operands === 'u8' && (!BYTE_OPERAND_KERNELS.includes(kernel) || form === 'NN')) {
    throw new RangeError(`matmul: 8-bit operands exist for the ${BYTE_OPERAND_KERNELS.join('/')} kernels' NT and TN forms only, not ${kernel} ${form}`);
  }
  if (!BLOCK_OPERAND_KERNELS.includes(kernel)) return [];
  const bytes = operands === 'u8';
  return [bytes && form === 'NT' ? 'operand_a_u8' : 'operand_a_f32', bytes && form === 'TN' ? 'operand_b_u8' : 'operand_b_f32'];
}

const EPILOGUE_FILES: Record<Epilogue, string[]> = {
  plain: ['epilogue_plain'],
  forward: ['activation', 'epilogue_forward'],
  backprop: ['activation', 'epilogue_backprop'],
  update: ['optimizer', 'epilogue_update'],
  rbf: ['epilogue_rbf'],
};

/** Shader files of each non-matmul kernel, in assembly order. */
export const KERNEL_FILES = {
  gather: ['common', 'gather'],
  softmax: ['common', 'softmax'],
  outputDelta: ['common', 'activation', 'loss', 'metrics', 'output_delta'],
  biasUpdate: ['common', 'optimizer', 'bias_update'],
  stepAdvance: ['common', 'step_advance'],
  health: ['health'],
} as const;

export class Kernels {
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice) {}

  private module(files: readonly string[]): Promise<GPUShaderModule> {
    const key = files.join('+');
    let m = this.modules.get(key);
    if (!m) {
      m = assemble(files).then(async (code) => {
        const module = this.device.createShaderModule({ label: key, code });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((msg) => msg.type === 'error');
        if (errors.length > 0) {
          const text = errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('\n');
          throw new Error(`webgpu: WGSL compilation of ${key} failed:\n${text}`);
        }
        return module;
      });
      this.modules.set(key, m);
    }
    return m;
  }

  /** A pipeline from shader files and override constants (entry point `main`, layout 'auto'). */
  pipeline(files: readonly string[], constants: Constants = {}): Promise<GPUComputePipeline> {
    const key = `${files.join('+')}|${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.module(files).then((module) =>
        this.device.createComputePipelineAsync({
          label: key,
          layout: 'auto',
          compute: { module, entryPoint: 'main', constants },
        }),
      );
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * A matmul pipeline. `operands: 'u8'` reads the first layer's input batch as packed 8-bit pixels: A in the
   * forward product (NT), B in the weight gradient (TN); the register-blocked kernels have that variant.
   */
  matmul(kernel: MatmulKernel, form: MatmulForm, epilogue: Epilogue, constants: Constants = {}, operands: MatmulOperands = 'f32'): Promise<GPUComputePipeline> {
    const files = ['common', ...EPILOGUE_FILES[epilogue], ...operandFiles(kernel, form, operands), `matmul_${kernel}`];
    return this.pipeline(files, { FORM: FORM_ID[form], ...constants });
  }
}

/** A bind group for `pipeline` from buffers listed by binding number (holes are skipped). */
export function bindGroup(device: GPUDevice, pipeline: GPUComputePipeline, label: string, buffers: Record<number, GPUBuffer>): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(buffers).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
}
