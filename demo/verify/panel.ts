/**
 * "Verify this GPU" (the start page's panel): runs the library's verifyBackend() — `deltagpu verify` — in the
 * page, on the browser's own WebGPU adapter, and shows one row per kernel group as each finishes, then the
 * adapter and the verdict. The finished report, as JSON, sits in `#verify-result[data-verify-report]`.
 *
 * Quick (default): every kernel group on fewer, smaller shapes; full: every shape `deltagpu verify` uses.
 * Both compile every kernel, which is most of the time on a software adapter such as SwiftShader.
 */
import { verifyBackend } from '../../src/index.ts';
import type { CheckResult, VerifyReport } from '../../src/index.ts';
import { $ } from '../shared/page.ts';

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : String(x));

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function addRow(body: HTMLTableSectionElement, g: CheckResult, seconds: number): void {
  const row = body.insertRow();
  row.className = g.pass ? 'pass' : 'fail';
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = g.group;
  row.append(th);
  cell(row, g.kernel);
  cell(row, g.shapes.join(', '), 'shapes');
  cell(row, sci(g.maxError), 'num');
  cell(row, sci(g.tolerance), 'num').title = g.why;
  cell(row, g.pass ? 'pass' : 'FAIL', 'verdict');
  cell(row, seconds.toFixed(1), 'num');
  if (!g.pass && g.detail) {
    const d = body.insertRow();
    d.className = 'fail detail';
    const td = d.insertCell();
    td.colSpan = 7;
    td.textContent = g.detail;
  }
}

function showAdapterInfo(r: VerifyReport): void {
  const dl = $('verify-adapter');
  dl.replaceChildren();
  const a = r.adapter;
  const items: [string, string][] = [
    ['vendor', a.vendor || 'not reported'],
    ['architecture', a.architecture || 'not reported'],
    ['description', a.description || 'not reported'],
    ['driver', a.driver],
    ['kind', a.isFallback ? 'software fallback (CPU-emulated)' : 'hardware'],
    ['features', r.features.join(', ') || 'none'],
  ];
  for (const [k, v] of items) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
  dl.hidden = false;
}

/** Sets up the panel; `gpu` is whether the adapter line found a WebGPU adapter. */
export function setUpVerifyPanel(gpu: boolean): void {
  const run = $<HTMLButtonElement>('verify-run');
  const status = $('verify-status');
  const result = $('verify-result');
  const body = $<HTMLTableSectionElement>('verify-rows');
  const progress = $<HTMLProgressElement>('verify-progress');
  const controls = $('verify-controls');
  if (!gpu) {
    // nothing to run: say why instead of offering a button that can only fail
    controls.hidden = true;
    status.textContent =
      'This browser offers no WebGPU adapter (see the line at the top), so there is no GPU here to verify. ' +
      'Open the page in a browser with WebGPU, or run deltagpu verify in Node on a machine with a GPU.';
    status.classList.add('notice');
    return;
  }
  run.disabled = false;
  run.addEventListener('click', async () => {
    const quick = (document.querySelector('input[name=verify-depth]:checked') as HTMLInputElement | null)?.value !== 'full';
    run.disabled = true;
    document.body.dataset.state = 'busy';
    body.replaceChildren();
    result.hidden = false;
    delete result.dataset.verifyReport;
    result.removeAttribute('data-passed');
    $('verify-summary').textContent = '';
    progress.hidden = false;
    let count = 0;
    let last = performance.now();
    status.textContent = `${quick ? 'Quick' : 'Full'} run: compiling and checking the first kernel group…`;
    try {
      const report = await verifyBackend({
        quick,
        onResult: (g) => {
          const now = performance.now();
          addRow(body, g, (now - last) / 1000);
          last = now;
          count++;
          status.textContent = `${count} kernel groups checked; last: ${g.group} (${g.pass ? 'pass' : 'FAIL'})…`;
        },
      });
      showAdapterInfo(report);
      const failed = report.groups.filter((g) => !g.pass).length;
      const summary = $('verify-summary');
      summary.textContent =
        failed === 0
          ? `All ${report.groups.length} kernel groups pass on this adapter (${quick ? 'quick' : 'full'} run, ${report.seconds.toFixed(1)} s).`
          : `${failed} of ${report.groups.length} kernel groups FAIL on this adapter: its results would differ from the CPU reference.`;
      summary.className = failed === 0 ? 'summary pass' : 'summary fail';
      result.dataset.verifyReport = JSON.stringify(report);
      result.dataset.passed = String(report.passed);
      status.textContent = `done: ${report.groups.length} kernel groups in ${report.seconds.toFixed(1)} s`;
      document.body.dataset.state = 'idle';
    } catch (e) {
      status.textContent = `verify stopped: ${(e as Error).message}`;
      status.classList.add('error-text');
      document.body.dataset.state = 'error';
    } finally {
      progress.hidden = true;
      run.disabled = false;
    }
  });
}
