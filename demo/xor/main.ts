/**
 * The XOR stepper: the lecture's worked example (2-2-1 sigmoid, no bias, α = 0.25, its given weights) or
 * XOR with bias, presented one pattern at a time. Every number comes from the library's `traceXor` (the
 * function behind `deltagpu xor --trace`) on the chosen backend; stepping back only shows fewer rows.
 *
 * For tests: `#trace[data-xor-trace]` holds the rows shown so far in `deltagpu xor --trace --format json`'s
 * format, and `<body data-state>` is `busy` while a trace is being computed, `idle` otherwise (`error` after
 * a failure); `<body data-backend>` is the name of the backend that computed the trace (cpu or webgpu).
 */
import { createBackend, traceXor, XOR_BIAS_LEARNING_RATE, XOR_LEARNING_RATE } from '../../src/index.ts';
import type { Backend, XorTraceRow } from '../../src/index.ts';
import { $, offerBackends, showAdapter } from '../shared/page.ts';
import { renderDiagram } from './diagram.ts';
import { formulaLines, renderTable } from './formulas.ts';
import type { Weights } from './formulas.ts';

type Mode = 'exact' | 'bias';
const ALPHA: Record<Mode, number> = { exact: XOR_LEARNING_RATE, bias: XOR_BIAS_LEARNING_RATE };

const modeSelect = $<HTMLSelectElement>('mode');
const backendSelect = $<HTMLSelectElement>('backend');
const status = $('status');
const traceEl = $('trace');

/** The computed trace for the current mode and backend; grown (recomputed from the start) on demand. */
let rows: XorTraceRow[] = [];
let initial: Weights | null = null;
let shown = 0;
/** the row whose formulas are shown (the last one presented unless another is chosen in the table) */
let chosen: number | null = null;
const backends = new Map<string, Promise<Backend>>();

function backendFor(name: string): Promise<Backend> {
  let b = backends.get(name);
  if (!b) {
    b = createBackend(name === 'webgpu' ? 'webgpu' : 'cpu');
    backends.set(name, b);
    b.catch(() => backends.delete(name));
  }
  return b;
}

async function ensureRows(n: number): Promise<void> {
  if (initial && rows.length >= n) return;
  const mode = modeSelect.value as Mode;
  const epochs = Math.max(2, Math.ceil(n / 4) * 2);
  const next: XorTraceRow[] = [];
  let start: Weights | null = null;
  const backend = await backendFor(backendSelect.value);
  // for tests: the backend that actually computed the rows (not just the select's value)
  document.body.dataset.backend = backend.name;
  await traceXor(backend, epochs, (r) => next.push(r), {
    bias: mode === 'bias',
    learningRate: ALPHA[mode],
    onStart: (w) => (start = w),
  });
  rows = next;
  initial = start;
}

function render(): void {
  const mode = modeSelect.value as Mode;
  const visible = rows.slice(0, shown);
  const last = visible.at(-1);
  const now: Weights = last ?? initial!;
  renderDiagram($('diagram'), now, last ? { input: last.input, hidden: last.hidden, output: last.output } : {});
  const sel = chosen !== null && chosen < shown ? chosen : shown - 1;
  renderTable(traceEl, visible, sel);
  traceEl.dataset.xorTrace = JSON.stringify(visible);
  $('formulas').textContent = last
    ? formulaLines(rows[sel], sel >= 1 ? rows[sel - 1] : initial!, ALPHA[mode]).join('\n')
    : `Press “Step forward” to present the first pattern, (0, 0) → 0.\n\nstarting weights: ${JSON.stringify(now)}`;
  status.textContent = last
    ? `pattern ${last.pattern} of epoch ${last.epoch} (${shown} presented) on ${backendSelect.value}`
    : `no pattern presented yet: the starting weights (${backendSelect.value})`;
  ($<HTMLButtonElement>('back')).disabled = shown === 0;
}

/** One action at a time, in the order they were asked for (a fast double click steps twice). */
let queue: Promise<void> = Promise.resolve();
function act(f: () => Promise<void> | void): void {
  queue = queue.then(async () => {
    document.body.dataset.state = 'busy';
    try {
      chosen = null;
      await f();
      render();
      document.body.dataset.state = 'idle';
    } catch (e) {
      console.error(e);
      status.textContent = `error: ${(e as Error).message}`;
      document.body.dataset.state = 'error';
    }
  });
}

const restart = () =>
  act(async () => {
    rows = [];
    initial = null;
    shown = 0;
    await ensureRows(0);
  });

$('step').addEventListener('click', () =>
  act(async () => {
    await ensureRows(shown + 1);
    shown++;
  }),
);
$('back').addEventListener('click', () => act(() => void (shown = Math.max(0, shown - 1))));
$('epoch').addEventListener('click', () =>
  act(async () => {
    // to the end of the current epoch, or through the next whole one when at an epoch's end
    const target = (Math.floor(shown / 4) + 1) * 4;
    await ensureRows(target);
    // one pattern at a time, slowly enough to follow (instantly for people who prefer reduced motion)
    const pause = matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 450;
    while (shown < target) {
      shown++;
      if (shown < target && pause) {
        render();
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }),
);
$('reset').addEventListener('click', restart);
// choosing a row of the table shows that pattern's formulas
const choose = (e: Event) => {
  const tr = (e.target as HTMLElement).closest('tr[data-row]') as HTMLElement | null;
  if (!tr) return;
  chosen = Number(tr.dataset.row);
  render();
  (traceEl.querySelector(`tr[data-row="${chosen}"]`) as HTMLElement | null)?.focus();
};
traceEl.addEventListener('click', choose);
traceEl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    choose(e);
  }
});
modeSelect.addEventListener('change', restart);
backendSelect.addEventListener('change', () => {
  // the same steps again, recomputed on the other backend
  const keep = shown;
  act(async () => {
    rows = [];
    initial = null;
    await ensureRows(keep);
    shown = keep;
  });
});

const q = new URLSearchParams(location.search);
if (q.get('mode') === 'bias') modeSelect.value = 'bias';
if (q.get('backend') === 'webgpu') backendSelect.value = 'webgpu';
void showAdapter().then((a) => {
  offerBackends(backendSelect, a);
  restart();
});
