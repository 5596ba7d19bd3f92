/**
 * The drawing pad: white strokes on a black 280×280 canvas (MNIST is white on black), brought to 28×28
 * the way MNIST was prepared (crop to the ink, longer side scaled to 20 px, centre of mass at pixel 14) by
 * the same `toMnistInput` that `deltagpu predict digit.png` uses. A second canvas shows what the network sees.
 */
import { toMnistInput } from '../../src/index.ts';

export interface DrawPad {
  clear(): void;
  /** the drawing as a 784-value MNIST input, or null while the pad is blank */
  input(): Float32Array | null;
  /** shows a 28×28 image (values in [0, 1]) on the pad itself, e.g. a test digit */
  show(pixels: Float32Array): void;
  /** draws from the pen's last point to `to` (pad pixels), or a dot if the pen was up: the keyboard's way in */
  strokeTo(to: { x: number; y: number }): void;
  /** lifts the pen: the next strokeTo starts a new line */
  lift(): void;
  /** asks for a new prediction (after a change made outside the pointer handlers) */
  changed(): void;
}

const SIZE = 28;

export function createDrawPad(pad: HTMLCanvasElement, preview: HTMLCanvasElement, onChange: () => void): DrawPad {
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  let blank = true;
  let drawing = false;
  let last: { x: number; y: number } | null = null;

  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
    blank = true;
    drawPreview(preview, null);
  };

  const pos = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
  };

  const stroke = (to: { x: number; y: number }) => {
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    // about 2 px at 28×28 once a digit of typical height is scaled to MNIST's 20 px box
    ctx.lineWidth = pad.width / 13;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    if (last) {
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    } else {
      ctx.arc(to.x, to.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    last = to;
    blank = false;
  };

  let pending = 0;
  const changed = () => {
    // at most one prediction per animation frame while the pointer moves
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      onChange();
    });
  };

  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = null;
    pad.setPointerCapture(e.pointerId);
    stroke(pos(e));
    changed();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    stroke(pos(e));
    changed();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    changed();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  const input = (): Float32Array | null => {
    if (blank) return null;
    const img = ctx.getImageData(0, 0, pad.width, pad.height);
    const { pixels } = toMnistInput({ width: img.width, height: img.height, channels: 4, data: new Uint8Array(img.data.buffer) }, { fit: 'mnist' });
    drawPreview(preview, pixels);
    return pixels;
  };

  const show = (pixels: Float32Array) => {
    const small = document.createElement('canvas');
    small.width = small.height = SIZE;
    paint(small, pixels);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, pad.width, pad.height);
    blank = false;
    changed();
  };

  clear();
  return {
    clear, input, show, changed,
    strokeTo: (to) => {
      stroke(to);
      changed();
    },
    lift: () => {
      last = null;
      changed();
    },
  };
}

export function paint(canvas: HTMLCanvasElement, pixels: Float32Array | null): void {
  const c = canvas.getContext('2d')!;
  const img = c.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels ? pixels[i] : 0)) * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  c.putImageData(img, 0, 0);
}

function drawPreview(preview: HTMLCanvasElement, pixels: Float32Array | null): void {
  preview.width = preview.height = SIZE;
  paint(preview, pixels);
}

/** Ten horizontal bars, the winner (`best`, or none when −1) highlighted. */
export function renderProbabilities(el: HTMLElement, probs: ArrayLike<number> | null, best = -1): void {
  el.replaceChildren(
    ...Array.from({ length: 10 }, (_, k) => {
      const p = probs ? probs[k] : 0;
      const row = document.createElement('div');
      row.className = `prob${k === best ? ' best' : ''}`;
      row.innerHTML = `<span class="digit">${k}</span><span class="bar"><span style="width:${(p * 100).toFixed(1)}%"></span></span><span class="pct">${(p * 100).toFixed(1)}%</span>`;
      return row;
    }),
  );
}
