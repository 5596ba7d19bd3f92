import { describe, expect, it } from 'vitest';
import { historyToSvg, niceTicks } from '../src/report/plot.ts';

/** Checks that every opened tag is closed in order (self-closing tags aside); returns the tag names seen. */
function checkBalanced(svg: string): string[] {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const seen: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(body))) {
    // Text between tags must not hold a raw '<' or an unescaped '&'.
    const text = body.slice(last, m.index);
    expect(text).not.toMatch(/<|&(?!amp;|lt;|gt;|quot;)/);
    last = re.lastIndex;
    const [, closing, name, attrs, selfClosing] = m;
    expect((attrs.match(/"/g) ?? []).length % 2).toBe(0);
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
    if (!closing) seen.push(name);
  }
  expect(stack).toEqual([]);
  return seen;
}

function polylines(svg: string): { series: string; points: [number, number][]; stroke: string }[] {
  return [...svg.matchAll(/<polyline [^>]*data-series="([^"]*)" points="([^"]*)"[^>]*stroke="([^"]*)"/g)].map((m) => ({
    series: m[1],
    stroke: m[3],
    points: m[2].split(' ').map((p) => p.split(',').map(Number) as [number, number]),
  }));
}

const history = {
  loss: [0.9, 0.5, 0.3, 0.25, 0.2],
  valLoss: [0.7, 0.45, 0.35, 0.33, 0.34],
  accuracy: [0.7, 0.85, 0.9, 0.93, 0.95],
  valAccuracy: [0.75, 0.86, 0.89, 0.9, 0.9],
};

describe('historyToSvg', () => {
  it('draws a well-formed SVG with two panels, four lines of one point per epoch, axes and a legend', () => {
    const svg = historyToSvg(history, { valLabel: 'test', title: 'MLP <784-128-10> & adam' });
    const tags = checkBalanced(svg);
    expect(tags[0]).toBe('svg');
    expect(svg.match(/<g class="panel">/g)).toHaveLength(2);
    const lines = polylines(svg);
    expect(lines.map((l) => l.series)).toEqual(['train', 'test', 'train', 'test']);
    for (const l of lines) expect(l.points).toHaveLength(5);
    expect(lines[0].stroke).not.toBe(lines[1].stroke);
    expect(svg.match(/class="xlabel"[^>]*>epoch</g)).toHaveLength(2);
    expect(svg).toMatch(/class="ylabel"[^>]*>loss</);
    expect(svg).toMatch(/class="ylabel"[^>]*>accuracy \(%\)</);
    expect(svg).toContain('MLP &lt;784-128-10&gt; &amp; adam');
    expect(svg.match(/<g class="legend">/g)).toHaveLength(2);
    // x ticks 1..5 in each panel; y tick labels in percent on the accuracy panel.
    expect(svg.match(/class="xtick"[^>]*>\d+</g)).toHaveLength(10);
    expect(svg).toMatch(/class="ytick"[^>]*>90%</);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("labels the x axis as asked (the demo's live chart plots ticks), escaped", () => {
    const svg = historyToSvg(history, { xLabel: 'tick <of 10>' });
    expect(svg.match(/class="xlabel"[^>]*>tick &lt;of 10&gt;</g)).toHaveLength(2);
    expect(svg).not.toMatch(/class="xlabel"[^>]*>epoch</);
  });

  it('maps values to the right places: lower loss is drawn lower, later epochs further right', () => {
    const [train] = polylines(historyToSvg(history));
    for (let i = 1; i < train.points.length; i++) {
      expect(train.points[i][0]).toBeGreaterThan(train.points[i - 1][0]);
      // SVG y grows downwards, and the training loss falls every epoch.
      expect(train.points[i][1]).toBeGreaterThan(train.points[i - 1][1]);
    }
    // Equal x spacing: epochs are evenly spaced.
    const dx = train.points.map((p, i) => (i ? p[0] - train.points[i - 1][0] : 0)).slice(1);
    for (const d of dx) expect(d).toBeCloseTo(dx[0], 0);
  });

  it('handles a single epoch: one point per line, inside the frame', () => {
    const svg = historyToSvg({ loss: [0.4], accuracy: [0.9], valLoss: [0.3], valAccuracy: [0.92] });
    checkBalanced(svg);
    const lines = polylines(svg);
    expect(lines).toHaveLength(4);
    const frame = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/g)].map((m) => m.slice(1).map(Number));
    expect(frame).toHaveLength(2);
    for (const l of lines) {
      expect(l.points).toHaveLength(1);
      const [x, y] = l.points[0];
      expect(frame.some(([fx, fy, fw, fh]) => x > fx && x < fx + fw && y > fy && y < fy + fh)).toBe(true);
    }
    expect(svg.match(/class="xtick"[^>]*>1</g)).toHaveLength(2);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('handles a constant series and loss-only histories (one panel)', () => {
    const svg = historyToSvg({ loss: [0.5, 0.5, 0.5] });
    checkBalanced(svg);
    expect(svg.match(/<g class="panel">/g)).toHaveLength(1);
    expect(polylines(svg)[0].points).toHaveLength(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const ys = new Set(polylines(svg)[0].points.map((p) => p[1]));
    expect(ys.size).toBe(1);
  });

  it('breaks the line at non-finite values instead of writing NaN coordinates', () => {
    const svg = historyToSvg({ loss: [1, 0.5, NaN, 0.3, Infinity, 0.2] });
    checkBalanced(svg);
    const lines = polylines(svg);
    expect(lines.map((l) => l.points.length)).toEqual([2, 1, 1]);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('leaves accuracies above 1 unscaled (already in percent)', () => {
    const svg = historyToSvg({ loss: [1, 0.5], accuracy: [80, 90] });
    expect(svg).toMatch(/class="ylabel"[^>]*>accuracy</);
    expect(svg).not.toMatch(/accuracy \(%\)/);
  });

  it('an empty history still gives a valid document', () => {
    const svg = historyToSvg({ loss: [] });
    checkBalanced(svg);
    expect(svg).toContain('no epochs recorded');
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    const t = niceTicks(0.07, 0.93, 5);
    expect(t.step).toBe(0.2);
    expect(t.ticks).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3).ticks.length).toBeGreaterThan(1);
  });
});
