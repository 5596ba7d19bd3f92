/**
 * What every page of the demo shares: the adapter line at the top (or, where there is no WebGPU, a visible
 * notice that the page runs on the CPU backend) and the backend choice that follows from it.
 */
import { describeAdapter } from './gpu.ts';
import type { AdapterLine } from './gpu.ts';

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el as T;
};

/** Fills `#adapter` and returns what it found; the CPU path is taken by the caller when `gpu` is false. */
export async function showAdapter(): Promise<AdapterLine> {
  const el = $('adapter');
  const a = await describeAdapter();
  el.textContent = a.text;
  el.classList.add(a.gpu ? 'gpu' : 'cpu');
  el.dataset.gpu = String(a.gpu);
  el.dataset.fallback = String(a.fallback);
  if (!a.gpu) el.classList.add('notice');
  else {
    // every page's adapter line leads to the start page's kernel checks for this adapter
    const link = document.createElement('a');
    // on the start page itself, a jump within the page (the start page may be served as ./ rather than ./index.html)
    link.href = document.getElementById('verify') ? '#verify' : './index.html#verify';
    link.className = 'verify-link';
    link.textContent = 'verify this GPU';
    el.append(' · ', link);
  }
  return a;
}

/** Disables the `webgpu` options of backend selects where there is no adapter, so the CPU path is the one taken. */
export function offerBackends(select: HTMLSelectElement, adapter: AdapterLine): void {
  for (const o of Array.from(select.options)) {
    if (o.value === 'webgpu' && !adapter.gpu) {
      o.disabled = true;
      o.textContent = 'webgpu (not available here)';
      if (select.value === 'webgpu') select.value = 'cpu';
    }
  }
}

export const yieldToBrowser = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
