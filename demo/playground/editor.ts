/**
 * Buttons to shape the hidden layers, as the TensorFlow playground has them: add or remove a layer, and one
 * "− n +" group per layer. The text field `hidden` ("4,4") stays the source of truth (and the URL option);
 * the buttons edit it and fire its change event, so the page rebuilds the network the same way either path.
 */
const MAX_LAYERS = 6;
const MAX_UNITS = 8;

export function layerEditor(container: HTMLElement, field: HTMLInputElement): () => void {
  const parse = () => (field.value.trim() === '' ? [] : field.value.split(/[\s,]+/).map(Number));
  const set = (layers: number[]) => {
    field.value = layers.join(',');
    field.dispatchEvent(new Event('change', { bubbles: true }));
    render();
  };
  const button = (text: string, label: string, disabled: boolean, onClick: () => void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.disabled = disabled;
    b.addEventListener('click', onClick);
    return b;
  };
  function render(): void {
    const layers = parse();
    const valid = layers.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_UNITS);
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.append(
      button('− layer', 'remove the last hidden layer', !valid || layers.length === 0, () => set(layers.slice(0, -1))),
      button('+ layer', 'add a hidden layer of 4 units', !valid || layers.length >= MAX_LAYERS, () => set([...layers, 4])),
    );
    const units = document.createElement('div');
    units.className = 'layer-row';
    if (valid) {
      layers.forEach((n, l) => {
        const group = document.createElement('span');
        group.className = 'units';
        group.setAttribute('role', 'group');
        group.setAttribute('aria-label', `hidden layer ${l + 1}: ${n} units`);
        const count = document.createElement('span');
        count.textContent = String(n);
        group.append(
          button('−', `one unit fewer in hidden layer ${l + 1}`, n <= 1, () => set(layers.map((m, k) => (k === l ? m - 1 : m)))),
          count,
          button('+', `one unit more in hidden layer ${l + 1}`, n >= MAX_UNITS, () => set(layers.map((m, k) => (k === l ? m + 1 : m)))),
        );
        units.append(group);
      });
    }
    container.replaceChildren(row, units);
  }
  field.addEventListener('change', render);
  render();
  return render;
}
