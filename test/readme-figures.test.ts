/**
 * The README quotes its measured figures from bench/RESULTS.md instead of retyping them: every “…” span in
 * README.md must occur in RESULTS.md word for word (whitespace and line breaks aside), so a figure that is
 * remeasured there and not updated here fails this test instead of drifting. The README's rounded summaries
 * of those quotes (e.g. "0.95–1.3 s") are checked against the quoted numbers below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const flat = (s: string) => s.replace(/\s+/g, ' ');
const readme = flat(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
const results = flat(readFileSync(new URL('../bench/RESULTS.md', import.meta.url), 'utf8'));
const quotes = [...readme.matchAll(/“([^”]+)”/g)].map((m) => m[1]);

describe('README figures quote bench/RESULTS.md', () => {
  it('has quotes, and every quote occurs in RESULTS.md', () => {
    expect(quotes.length).toBeGreaterThanOrEqual(6);
    for (const q of quotes) expect(results.includes(q), `README quotes “${q}”, which bench/RESULTS.md does not contain`).toBe(true);
  });

  it('the rounded figures beside the quotes agree with them', () => {
    // tuning: "0.95–1.3 s at batch 64 and 1.2–1.5 s at batch 256" from 953 ms / 1,237 ms and the rerun's 1,309 / 1,496 ms
    expect(readme).toContain('takes 0.95–1.3 s at batch 64 and 1.2–1.5 s at batch 256');
    for (const q of ['(**953 ms**, 647 ms)', '(**1,237 ms**, 560 ms)', 'tuning 1,309 / 1,496']) expect(quotes.some((x) => x.includes(q))).toBe(true);
    // the CPU against jax-js wasm: 3.2–3.5× (3.53× / 3.24×) on the digits, 2.1–2.6× on dense inputs
    expect(readme).toMatch(/that is 3\.2–3\.5× on the digits[^“]*“is \*\*3\.53× \/ 3\.24×\*\* jax-js `wasm`”/);
    expect(readme).toMatch(/and 2\.1–2\.6× on dense inputs[^“]*“on dense inputs \(2\.1–2\.6×\)”/);
    // the retyped figures the README used to carry are gone
    for (const stale of ['about 0.7 s at batch 64', 'about 1.8× `wide`', '2.5–2.8× on dense inputs', '3.2–4.4×']) expect(readme).not.toContain(stale);
  });
});
