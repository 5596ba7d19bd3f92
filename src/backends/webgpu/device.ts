/**
 * Device acquisition: one code path for the browser (`navigator.gpu`) and Node (the `webgpu` package,
 * Dawn). Node-only modules are imported dynamically so a browser bundle never pulls them in.
 *
 * Dawn's instance (the object `create()` returns) must stay reachable as long as its device lives: if it
 * is garbage-collected, the device's event processing dies under it (intermittent segfaults). So it is
 * kept in `GpuContext.instance`, and every backend keeps its context.
 */

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  device: string;
  /** a software (CPU-emulated) adapter such as SwiftShader or lavapipe (see isSoftwareAdapter): correct, but slower than the CPU backend */
  isFallback: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  report: AdapterReport;
  /** the limits the device was created with (the adapter's maxima for the ones we need) */
  limits: GPUSupportedLimits;
  features: string[];
  /** the GPU instance (Dawn's `create()` result in Node); held only to keep it alive */
  readonly instance: GPU;
  /** "google swiftshader (SwiftShader driver 5.0.0), fallback" */
  describe(): string;
}

export interface RequestGpuOptions {
  powerPreference?: GPUPowerPreference;
  /** cap some limits (tests use this to provoke the size checks); defaults to the adapter's maxima.
   *  WebGPU raises a requested limit below its default (128 MiB binding, 256 MiB buffer) to that default. */
  limits?: Partial<Record<'maxStorageBufferBindingSize' | 'maxBufferSize', number>>;
}

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let nodeInstance: GPU | null | undefined;

/** Node: Dawn through the `webgpu` package. Returns null where the package cannot load. */
async function nodeGpu(): Promise<GPU | null> {
  if (nodeInstance !== undefined) return nodeInstance;
  try {
    const name = 'webgpu'; // a variable, so bundlers leave this import alone
    const mod = (await import(/* @vite-ignore */ name)) as { create: (flags: string[]) => GPU; globals: object };
    // GPUBufferUsage, GPUMapMode, … as globals, the way browsers provide them
    for (const [k, v] of Object.entries(mod.globals)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
    nodeInstance = mod.create([]);
  } catch {
    nodeInstance = null;
  }
  // Process-wide and never released: Dawn's instance must outlive every device made from it.
  return nodeInstance;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/** Where no VK_ICD_FILENAMES is set but SwiftShader's driver exists, point Vulkan at it (Node only). */
export async function useSwiftShaderIfPresent(): Promise<boolean> {
  if (!isNode() || process.env.VK_ICD_FILENAMES) return false;
  const fs = await import('node:fs');
  if (!fs.existsSync(SWIFTSHADER_ICD)) return false;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.NODEVICE_SELECT ??= '1';
  return true;
}

/**
 * Names CPU-emulating drivers report (vendor, architecture, device or description): SwiftShader, Mesa's
 * lavapipe/llvmpipe (and softpipe), Microsoft's WARP ("Basic Render Driver"). isFallbackAdapter is not
 * enough: browsers and older Dawn builds leave it false for lavapipe, which then looked like a GPU to 'auto'.
 */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render/i;

/** Whether an adapter is a software one: flagged as fallback, or named like a CPU-emulating driver. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  // Mesa's software drivers say vendor 'mesa', architecture 'software' in Dawn; the names catch the rest
  if (/^mesa$/i.test(info.vendor ?? '') && /^(software|llvmpipe)$/i.test(info.architecture ?? '')) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((s) => SOFTWARE_NAMES.test(s ?? ''));
}

function adapterReport(adapter: GPUAdapter): AdapterReport {
  // fields are getters on GPUAdapterInfo: read them one by one (spreading gives {})
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const report = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    device: info?.device ?? '',
  };
  return { ...report, isFallback: isSoftwareAdapter({ ...report, isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy ?? false) }) };
}

/**
 * Acquires an adapter and a device, or null where there is none. Requests the adapter's maximum storage
 * binding size, buffer size and storage buffers per stage (the defaults are far lower: 128 MiB, 256 MiB, 8),
 * and `timestamp-query` where offered (for the benchmark).
 */
export async function requestGpu(options: RequestGpuOptions = {}): Promise<GpuContext | null> {
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  let instance: GPU | null = browserGpu ?? null;
  if (!instance && isNode()) {
    await useSwiftShaderIfPresent();
    instance = await nodeGpu();
  }
  if (!instance) return null;
  const adapter = await instance.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) return null;
  const al = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: Math.min(al.maxStorageBufferBindingSize, options.limits?.maxStorageBufferBindingSize ?? Infinity),
    maxBufferSize: Math.min(al.maxBufferSize, options.limits?.maxBufferSize ?? Infinity),
    maxStorageBuffersPerShaderStage: al.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupStorageSize: al.maxComputeWorkgroupStorageSize,
  };
  // timestamps for the tuner's timings, subgroups for the subgroup matmul; each only where the adapter has it
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const report = adapterReport(adapter);
  return {
    device,
    adapter,
    report,
    limits: device.limits,
    features: [...device.features].map(String),
    instance,
    describe() {
      const r = report;
      const what = [r.vendor, r.architecture].filter(Boolean).join(' ') || 'unknown adapter';
      return `${what}${r.description ? ` (${r.description})` : ''}${r.isFallback ? ', software fallback' : ''}`;
    },
  };
}

/** The limits people ask about, as plain numbers (GPUSupportedLimits' fields are getters). */
export function limitsReport(limits: GPUSupportedLimits): Record<string, number> {
  const keys = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxStorageBuffersPerShaderStage',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupsPerDimension',
    'maxUniformBufferBindingSize',
  ] as const;
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = limits[k];
  return out;
}
