/**
 * The WebGPU backend: `createWebGpuBackend()` acquires a device (browser or Node/Dawn) and returns a
 * Backend whose sessions keep every buffer resident and run whole epochs per submission.
 *
 *   const gpu = await createWebGpuBackend();            // throws if there is no adapter
 *   const session = await gpu.compile(spec, params);    // pipelines + parameter buffers, once
 *   const data = await session.upload(x, y);            // the data set, once
 *   const m = await session.trainSteps(data, order, 0, 64, steps);   // one submit, one readback
 *   session.dispose(); gpu.dispose();
 */
import { kindOf } from '../../backend.ts';
import type { Backend, LayerKind, LayerParams, NetworkSpec, TrainingSession } from '../../backend.ts';
import { limitsReport, requestGpu } from './device.ts';
import type { AdapterReport, GpuContext, RequestGpuOptions } from './device.ts';
import { KERNEL_FILES, Kernels, MATMUL_KERNELS, matmulAvailable } from './kernels.ts';
import type { MatmulKernel } from './kernels.ts';
import { GpuMemory } from './memory.ts';
import { checkParamSizes, checkParams } from './params.ts';
import { buildPipelines } from './pipelines.ts';
import type { NetworkPipelines } from './pipelines.ts';
import { WebGpuSession } from './session.ts';
import { MatmulTuner, uniformChoice } from './tuner.ts';
import { CONV_KERNELS } from './conv2d.ts';
import type { ConvKernel } from './conv2d.ts';
import { ConvTuner } from './conv-tuner.ts';
import type { TunedEntry } from './tuning-cache.ts';

export { requestGpu, limitsReport } from './device.ts';
export type { AdapterReport, GpuContext } from './device.ts';
export { bufferStats, BufferLimitError } from './memory.ts';
export type { MatmulKernel } from './kernels.ts';
export type { ConvKernel } from './conv2d.ts';
export type { TunedEntry } from './tuning-cache.ts';

export interface WebGpuOptions extends RequestGpuOptions {
  /**
   * Which matmul kernel the step uses: 'auto' (default) times every candidate on this device for each
   * product a network needs (per layer and form, at the batch's shape) and keeps the fastest, cached per
   * adapter and shape in the process and on disk (tuner.ts); a kernel name forces that kernel everywhere.
   */
  matmul?: 'auto' | MatmulKernel;
  /**
   * Which conv2d forward kernel: 'auto' (default) times the candidates per conv layer and batch shape
   * (conv-tuner.ts; on a software adapter only the reference 'direct' is a candidate), or a kernel name.
   * With a forced `matmul` kernel and 'auto' here, no timing happens: 'direct' on a software adapter, 'tiled' elsewhere.
   */
  conv?: 'auto' | ConvKernel;
  /** use this context instead of acquiring one (tests share one device across backends) */
  context?: GpuContext;
  /**
   * Most bytes one uploaded data set may hold on the GPU (default: no budget, only the device's binding and
   * buffer limits). A larger set stays on the host and is streamed in chunks, two at a time, each at most
   * half the budget, with the same results.
   */
  dataBudget?: number;
}

export interface WebGpuBackend extends Backend {
  readonly name: 'webgpu';
  /** true on a software adapter (SwiftShader, lavapipe): correct, slower than the CPU backend */
  readonly isFallbackAdapter: boolean;
  readonly adapter: AdapterReport;
  readonly limits: Record<string, number>;
  /** the forced kernel, or 'tuned' (chosen per product by timing, see tuning()) */
  readonly matmulKernel: MatmulKernel | 'tuned';
  /** the kernel for products the tuner does not see (the forced one, or the untuned guess): e.g. the RBF distances */
  readonly defaultKernel: MatmulKernel;
  /** the tuned choices cached for this adapter (empty when a kernel is forced or nothing was tuned yet) */
  tuning(): Promise<TunedEntry[]>;
  /** the tuner (null when a kernel is forced) */
  readonly tuner: MatmulTuner | null;
  /** the conv2d forward tuner (null when a conv kernel or a matmul kernel is forced) */
  readonly convTuner: ConvTuner | null;
  /** the device context; holding it keeps Dawn's instance alive */
  readonly context: GpuContext;
  compile(spec: NetworkSpec, params: LayerParams[]): Promise<WebGpuSession & TrainingSession>;
  deviceLost(): Promise<string | null>;
}

export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const ctx = options.context ?? (await requestGpu(options));
  if (!ctx) {
    throw new Error(
      'webgpu: no WebGPU adapter. In a browser, use one with WebGPU enabled; in Node without a GPU, install ' +
        'libvulkan1 and chromium and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader)',
    );
  }
  const dataBudget = options.dataBudget ?? Infinity;
  if (!(dataBudget > 0)) throw new RangeError(`webgpu: dataBudget must be a positive number of bytes, got ${options.dataBudget}`);
  const choice = options.matmul ?? 'auto';
  if (choice !== 'auto' && !MATMUL_KERNELS.includes(choice)) throw new RangeError(`webgpu: unknown matmul kernel '${String(choice)}'`);
  if (choice !== 'auto' && !matmulAvailable(choice, ctx.features)) {
    throw new RangeError(`webgpu: matmul kernel '${choice}' needs the adapter's 'subgroups' feature, which ${ctx.describe()} does not have`);
  }
  // the untuned guess: barrier-free register blocking on a software adapter (sharing loads across a quad
  // where subgroups exist: bench/RESULTS.md), shared-memory tiles on hardware; used where a product is
  // never run (inference plans build, but never dispatch, backprop and update)
  const softwareGuess: MatmulKernel = matmulAvailable('subgroup', ctx.features) ? 'subgroup' : 'regblock';
  const guess: MatmulKernel = choice === 'auto' ? (ctx.report.isFallback ? softwareGuess : 'tiled') : choice;
  const convOption = options.conv ?? 'auto';
  if (convOption !== 'auto' && !CONV_KERNELS.includes(convOption)) throw new RangeError(`webgpu: unknown conv kernel '${String(convOption)}'; expected ${CONV_KERNELS.join(' or ')}`);
  const convGuess: ConvKernel = convOption === 'auto' ? (ctx.report.isFallback ? 'direct' : 'tiled') : convOption;
  const kernels = new Kernels(ctx.device);
  const tuner = choice === 'auto' ? new MatmulTuner(ctx.device, kernels, ctx.report, ctx.features, guess) : null;
  const convTuner = choice === 'auto' && convOption === 'auto' ? new ConvTuner(ctx.device, kernels, ctx.report) : null;
  const chooseConv = async (layer: Parameters<ConvTuner['choose']>[0], rows: number) => (convTuner ? (await convTuner.choose(layer, rows)).kernel : convGuess);
  const sessions = new Set<WebGpuSession>();
  const ownsDevice = !options.context;
  let disposed = false;
  let lost: string | null = null;
  void ctx.device.lost.then((info) => {
    lost = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
  });
  return {
    name: 'webgpu',
    description: `WebGPU on ${ctx.describe()}`,
    isFallbackAdapter: ctx.report.isFallback,
    adapter: ctx.report,
    limits: limitsReport(ctx.limits),
    matmulKernel: choice === 'auto' ? 'tuned' : choice,
    defaultKernel: guess,
    tuner,
    convTuner,
    tuning: async () => (tuner ? tuner.entries() : []),
    context: ctx,
    checkSpec(spec: NetworkSpec) {
      checkLayerKinds(spec);
      checkParamSizes(new GpuMemory(ctx.device), spec);
    },
    async compile(spec: NetworkSpec, params: LayerParams[]) {
      if (disposed) throw new Error('webgpu: the backend was disposed');
      if (spec.layers.length === 0) throw new RangeError('webgpu: a network needs at least one layer');
      spec.layers.forEach((layer, l) => {
        if (layer.activation === 'softmax' && l !== spec.layers.length - 1) {
          throw new RangeError(`webgpu: softmax is only supported on the output layer (layer ${l} of ${spec.layers.length})`);
        }
      });
      checkLayerKinds(spec);
      // sizes first: a too-large layer fails here, before any buffer or pipeline exists
      checkParamSizes(new GpuMemory(ctx.device), spec);
      checkParams(spec, params);
      // a forced kernel compiles everything now; a tuned one at the first step, when the batch's shape is known
      const forced = tuner ? null : await buildPipelines(kernels, uniformChoice(spec, guess, convGuess), spec);
      const pipesFor = async (rows: number, training: boolean): Promise<NetworkPipelines> =>
        forced ?? buildPipelines(kernels, await tuner!.chooseStep(spec, rows, training, guess, chooseConv), spec);
      // the health check (non-finite flags) does not depend on the matmul kernels: built once, now
      const health = await kernels.pipeline(KERNEL_FILES.health);
      const session = new WebGpuSession(ctx.device, spec, pipesFor, health, params, (s) => sessions.delete(s), dataBudget);
      sessions.add(session);
      return session;
    },
    /** device.lost settles asynchronously, so give it a moment after a failed call */
    async deviceLost() {
      if (lost === null) await Promise.race([ctx.device.lost, new Promise((r) => setTimeout(r, 100))]);
      return lost;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of [...sessions]) s.dispose();
      if (ownsDevice) ctx.device.destroy();
    },
  };
}

/** The layer kinds this backend has kernels for (dense in plan.ts; the others in <kind>.ts). */
const GPU_KINDS: readonly LayerKind[] = ['dense', 'conv2d', 'maxPool2d', 'avgPool2d', 'flatten', 'dropout'];

/** Refuses a layer of a kind without kernels here by name, before any buffer exists, instead of running it as another kind. */
export function checkLayerKinds(spec: NetworkSpec): void {
  const l = spec.layers.findIndex((layer) => !GPU_KINDS.includes(kindOf(layer)));
  if (l >= 0) {
    throw new RangeError(`webgpu: layer ${l} is ${String(kindOf(spec.layers[l]))}, which this backend does not run; expected one of ${GPU_KINDS.join(', ')}`);
  }
}
