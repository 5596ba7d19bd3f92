/**
 * The CLI settings a checkpoint carries (`extra.cli`, written by `deltagpu train`), checked before --resume
 * puts them back in place of command-line options. A checkpoint is a file, so its settings may be damaged or
 * hostile: each must look like what parseArgs gives (an option name, a string or true/false) or it is
 * refused by name. An own `__proto__` key from JSON.parse would otherwise replace the options' prototype
 * through Object.assign, dropping every saved setting silently; a number where a string belongs failed as
 * "value.split is not a function".
 */
const OPTION_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function resumeSettings(saved: object, file: string): Record<string, string | boolean> {
  if (Array.isArray(saved)) throw new Error(`--resume ${file}: the checkpoint's CLI settings are a list, expected an object of options`);
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(saved)) {
    const shown = JSON.stringify(key).slice(0, 40);
    if (!OPTION_NAME.test(key)) throw new Error(`--resume ${file}: the checkpoint's CLI settings hold ${shown}, which is not an option name`);
    if (typeof value !== 'string' && typeof value !== 'boolean') {
      throw new Error(`--resume ${file}: the checkpoint's CLI setting --${key} is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}, expected text or true/false`);
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
