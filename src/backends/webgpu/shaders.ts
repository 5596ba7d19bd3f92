/**
 * Loads WGSL from /shaders as text and assembles modules from several files (WGSL has no #include):
 * common structs + activation + kernel core + epilogue, concatenated in the order given.
 *
 * Node reads the files with fs; the browser fetches the same URLs (Vite rewrites `new URL(…,
 * import.meta.url)` with a template into asset URLs). The fs import is dynamic, so bundles never need it.
 */
const cache = new Map<string, Promise<string>>();

function shaderUrl(name: string): URL {
  return new URL(`../../../shaders/${name}.wgsl`, import.meta.url);
}

async function readShader(name: string): Promise<string> {
  const url = shaderUrl(name);
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    return fs.readFile(url, 'utf8');
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`webgpu: cannot load shader ${name}.wgsl from ${url.href}: HTTP ${res.status}`);
  return res.text();
}

/** The text of shaders/NAME.wgsl (cached). */
export function loadShader(name: string): Promise<string> {
  let p = cache.get(name);
  if (!p) {
    p = readShader(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

/** One WGSL module from several files, each preceded by a marker comment naming it. */
export async function assemble(names: readonly string[]): Promise<string> {
  const parts = await Promise.all(names.map(loadShader));
  return parts.map((src, k) => `// ---- ${names[k]}.wgsl ----\n${src}`).join('\n');
}
