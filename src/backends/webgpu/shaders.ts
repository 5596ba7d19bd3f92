/**
 * The WGSL sources, and modules assembled from several of them (WGSL has no #include): common structs +
 * activation + kernel core + epilogue, concatenated in the order given.
 *
 * The text comes from src/generated/wgsl.ts, which bin/embed-assets.js writes from shaders/*.wgsl before
 * every test, build and bench run. Embedding (rather than reading files or fetching URLs) means the built
 * package works wherever it is installed or bundled, and a browser never requests a .wgsl file.
 */
import { WGSL } from '../../generated/wgsl.ts';

/** The text of shaders/NAME.wgsl. */
export function loadShader(name: string): Promise<string> {
  const text = Object.prototype.hasOwnProperty.call(WGSL, name) ? WGSL[name] : undefined;
  if (text === undefined) {
    return Promise.reject(
      new Error(`webgpu: no shader named '${name}' is embedded; is shaders/${name}.wgsl new? Run 'node bin/embed-assets.js' (npm test and npm run build do).`),
    );
  }
  return Promise.resolve(text);
}

/** A directive line (`enable subgroups;`): WGSL requires these before any declaration of the module. */
const DIRECTIVE = /^(enable|requires|diagnostic)\b[^\n]*;[ \t]*$/gm;

/**
 * One WGSL module from several files, each preceded by a marker comment naming it. Directives a file
 * declares (matmul_subgroup.wgsl's `enable subgroups;`) move to the top of the module, once each.
 */
export async function assemble(names: readonly string[]): Promise<string> {
  const parts = await Promise.all(names.map(loadShader));
  const directives = new Set(parts.flatMap((src) => src.match(DIRECTIVE) ?? []).map((d) => d.trim()));
  const body = parts.map((src, k) => `// ---- ${names[k]}.wgsl ----\n${src.replace(DIRECTIVE, '')}`).join('\n');
  return directives.size > 0 ? `${[...directives].join('\n')}\n${body}` : body;
}
