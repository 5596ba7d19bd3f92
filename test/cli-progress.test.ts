import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, ProgressBar } from '../src/cli/progress.ts';

class FakeStream {
  chunks: string[] = [];
  constructor(public isTTY: boolean, public columns = 120) {}
  write(s: string) { this.chunks.push(s); return true; }
  get text() { return this.chunks.join(''); }
}

/** A clock the test moves by hand, in ms. */
function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('ProgressBar on a TTY', () => {
  it('redraws in place with \\r and shows rate, loss, accuracy and ETA', () => {
    const s = new FakeStream(true);
    const c = clock();
    const bar = new ProgressBar({ stream: s, now: c.now, barWidth: 20 });
    bar.start(3, 10, 8000);
    c.advance(389); // 4800 samples in 0.389 s ≈ 12,339 samples/s
    bar.update(4800, { loss: 0.23114, accuracy: 0.9312 });
    const last = s.chunks.at(-1)!;
    expect(last.startsWith('\r')).toBe(true);
    expect(last).not.toContain('\n');
    expect(last).toContain('Epoch  3/10 [============>       ] 4800/8000');
    expect(last).toMatch(/12,339 samples\/s/);
    expect(last).toContain('loss 0.2311');
    expect(last).toContain('acc 93.1%');
    // 3200 samples left at ≈12,339/s ≈ 0.26 s.
    expect(last).toMatch(/ETA 0\.3s/);
    expect(s.text).not.toContain('\n');
  });

  it('throttles redraws but always draws the final state, then ends with one newline-terminated line', () => {
    const s = new FakeStream(true);
    const c = clock();
    const bar = new ProgressBar({ stream: s, now: c.now, redrawMs: 100 });
    bar.start(1, 2, 1000);
    const before = s.chunks.length;
    for (let done = 10; done < 1000; done += 10) { c.advance(1); bar.update(done, { loss: 1 / done }); }
    // 99 updates over 99 ms with a 100 ms throttle: no redraw at all.
    expect(s.chunks.length).toBe(before);
    c.advance(1);
    bar.update(1000, { loss: 0.5, accuracy: 0.8 });
    expect(s.chunks.length).toBe(before + 1);
    expect(s.chunks.at(-1)).toContain('[==============================] 1000/1000');
    expect(s.chunks.at(-1)).not.toContain('ETA');
    c.advance(900);
    const line = bar.end({ valLoss: 0.61, valAccuracy: 0.775, valName: 'test' });
    const out = s.chunks.at(-1)!;
    expect(out).toBe(`\r${line}\x1b[K\n`);
    expect(line).toBe('Epoch 1/2  1.0s  1,000 samples/s  loss 0.5000  acc 80.0%  test_loss 0.6100  test_acc 77.5%');
  });
});

describe('ProgressBar when not a TTY', () => {
  it('writes no carriage returns and only the final line for a short epoch', () => {
    const s = new FakeStream(false);
    const c = clock();
    const bar = new ProgressBar({ stream: s, now: c.now });
    for (let e = 1; e <= 3; e++) {
      bar.start(e, 3, 500);
      for (let d = 50; d <= 500; d += 50) { c.advance(100); bar.update(d, { loss: 0.3, accuracy: 0.9 }); }
      bar.end({ valAccuracy: 0.88 });
    }
    expect(s.text).not.toContain('\r');
    expect(s.text).not.toContain('\x1b');
    const lines = s.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('Epoch 3/3  1.0s  500 samples/s  loss 0.3000  acc 90.0%  val_acc 88.0%');
  });

  it('prints an occasional progress line during a long epoch', () => {
    const s = new FakeStream(false);
    const c = clock();
    const bar = new ProgressBar({ stream: s, now: c.now, logEveryMs: 10_000 });
    bar.start(1, 1, 60_000);
    for (let d = 1000; d <= 60_000; d += 1000) { c.advance(1000); bar.update(d, { loss: 0.1 }); }
    bar.end();
    const lines = s.text.trimEnd().split('\n');
    // 60 s of updates at one line per 10 s (not at the very end, where the final line follows): 5, then the summary.
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^Epoch 1\/1 \[.*\] 10000\/60000 .*ETA 50s$/);
    expect(lines[5]).toMatch(/^Epoch 1\/1  1m00s  1,000 samples\/s  loss 0\.1000$/);
  });
});

describe('ProgressBar width', () => {
  it('fits the line to a narrow terminal by shrinking the bar, then cutting', () => {
    for (const columns of [80, 100, 60]) {
      const s = new FakeStream(true, columns);
      const c = clock();
      const bar = new ProgressBar({ stream: s, now: c.now });
      bar.start(10, 100, 60000);
      c.advance(2000);
      bar.update(30000, { loss: 0.123456, accuracy: 0.5 });
      const line = s.chunks.at(-1)!.replace(/^\r/, '').replace(/\x1b\[K$/, '');
      expect(line.length).toBeLessThanOrEqual(columns - 1);
      expect(line).toMatch(/^Epoch  10\/100 \[=+>?\s*\]/);
      if (columns >= 100) expect(line).toContain('ETA 2.0s');
    }
  });
});

describe('formatting', () => {
  it('formats counts and durations', () => {
    expect(formatCount(12345.4)).toBe('12,345');
    expect(formatDuration(2.44)).toBe('2.4s');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('?');
  });
});
