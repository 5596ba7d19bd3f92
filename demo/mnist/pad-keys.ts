/**
 * The drawing pad from the keyboard (the pointer is not the only way in): with the pad focused (Tab),
 *   arrow keys     move the pen by one MNIST pixel (a 28th of the pad); with Shift, by four
 *   Space / Enter  pen down (draws a dot there) or up again; moving with the pen down draws a stroke
 *   Escape, Delete or Backspace   clears the pad
 * A cursor ring shows where the pen is, and a live region says it for screen readers.
 */
import type { DrawPad } from './draw.ts';

export function attachPadKeys(canvas: HTMLCanvasElement, cursor: HTMLElement, status: HTMLElement, pad: DrawPad): void {
  const cell = canvas.width / 28;
  // the pen starts in the middle of MNIST's 20×20 box
  let at = { x: canvas.width / 2, y: canvas.height / 2 };
  let down = false;

  const place = () => {
    cursor.style.left = `${(at.x / canvas.width) * 100}%`;
    cursor.style.top = `${(at.y / canvas.height) * 100}%`;
    cursor.classList.toggle('down', down);
    status.textContent = `pen ${down ? 'down' : 'up'} at column ${Math.floor(at.x / cell) + 1}, row ${Math.floor(at.y / cell) + 1} of 28`;
  };
  const move = (dx: number, dy: number) => {
    at = { x: Math.min(canvas.width - cell / 2, Math.max(cell / 2, at.x + dx * cell)), y: Math.min(canvas.height - cell / 2, Math.max(cell / 2, at.y + dy * cell)) };
    if (down) pad.strokeTo(at);
  };

  canvas.tabIndex = 0;
  canvas.addEventListener('focus', () => {
    cursor.hidden = false;
    place();
  });
  canvas.addEventListener('blur', () => {
    cursor.hidden = true;
    if (down) pad.lift();
    down = false;
  });
  canvas.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 4 : 1;
    const arrows: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (arrows[e.key]) {
      move(...arrows[e.key]);
    } else if (e.key === ' ' || e.key === 'Enter') {
      down = !down;
      if (down) pad.strokeTo(at);
      else pad.lift();
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      if (down) pad.lift();
      down = false;
      pad.clear();
      pad.changed();
    } else {
      return;
    }
    // the page must not scroll on arrows and Space while drawing
    e.preventDefault();
    place();
  });
}
