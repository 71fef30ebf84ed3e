import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * @typedef {{ layout: string, display: HTMLElement, pad: HTMLElement, submit: HTMLButtonElement,
 *   readonly value: string, set(next: string): void, key(event: KeyboardEvent): boolean }} Entry
 */

const DIGIT_ROWS = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
  ['clear', '0', 'back'],
];
const ALNUM_ROWS = [
  ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
  ['Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P'],
  ['A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', '-'],
  ['shift', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '_', 'back'],
];

/** @type {Record<string, { text: () => string, label: () => string }>} */
const SPECIAL = {
  back: { text: () => '⌫', label: () => t('keypad.delete') },
  clear: { text: () => t('keypad.clear'), label: () => t('keypad.clear') },
  shift: { text: () => 'a/A', label: () => t('keypad.lowerCase') },
};

/**
 * A value typed on an on-screen pad (no keyboard assumed; a physical one or a scanner works too).
 * `cells`: a fixed length shown as boxes (6-digit codes); otherwise a line that grows up to `maxLength`.
 * `label` names the value for screen readers, and the pad is "<label> keypad" (`keypad.group`).
 * @param {{ id: string, label: string, cells?: number, maxLength?: number, minLength?: number,
 *   mask?: boolean, layout?: 'digits' | 'alnum', accept?: RegExp, submitLabel?: string,
 *   onSubmit: (value: string) => void }} o
 * @returns {Entry}
 */
export function createEntry({
  id,
  label,
  cells,
  maxLength = cells ?? 32,
  minLength = cells ?? 1,
  mask = false,
  layout = 'digits',
  accept = layout === 'digits' ? /^[0-9]$/ : /^[0-9A-Za-z_-]$/,
  submitLabel = t('next'),
  onSubmit,
}) {
  let value = '';
  let upper = true;
  const display = h('div', {
    class: `entry-display${cells ? ' entry-cells' : ''}`,
    id: `${id}-display`,
    role: 'textbox',
    'aria-readonly': 'true',
    'aria-label': label,
    'data-testid': `${id}-display`,
  });
  const submit = h(
    'button',
    { type: 'button', class: 'btn btn-primary btn-submit', 'data-testid': `${id}-submit`, disabled: true },
    submitLabel,
  );
  submit.addEventListener('click', () => {
    if (value.length >= minLength) onSubmit(value);
  });

  const render = () => {
    if (cells) {
      display.replaceChildren(
        ...Array.from({ length: cells }, (_, i) =>
          h(
            'span',
            { class: `cell${i === value.length ? ' cell-next' : ''}${i < value.length ? ' cell-full' : ''}` },
            i < value.length ? (mask ? '●' : value[i]) : '',
          ),
        ),
      );
    } else {
      display.replaceChildren(
        h('span', { class: 'entry-text' }, mask ? '●'.repeat(value.length) : value),
        h('span', { class: 'caret', 'aria-hidden': 'true' }),
      );
    }
    // A textbox takes no aria-valuetext: a masked entry says how many digits it has in its name instead.
    if (mask) display.setAttribute('aria-label', `${label}, ${t('keypad.masked', { count: value.length })}`);
    submit.disabled = value.length < minLength;
  };

  /** @param {string} key */
  const press = (key) => {
    if (key === 'back') value = value.slice(0, -1);
    else if (key === 'clear') value = '';
    else if (key === 'shift') setCase(!upper);
    else if (value.length < maxLength && accept.test(key)) value += key;
    render();
  };

  /** @param {boolean} on */
  const setCase = (on) => {
    upper = on;
    for (const b of pad.querySelectorAll('.key-letter')) {
      if (!(b instanceof HTMLElement)) continue;
      const was = b.dataset.key ?? '';
      const k = upper ? was.toUpperCase() : was.toLowerCase();
      b.dataset.key = k;
      b.textContent = k;
      b.setAttribute('aria-label', k);
    }
    pad.querySelector('[data-key="shift"]')?.setAttribute('aria-pressed', String(!upper));
  };

  const rows = layout === 'digits' ? DIGIT_ROWS : ALNUM_ROWS;
  const pad = h(
    'div',
    {
      class: `keypad keypad-${layout}`,
      role: 'group',
      'aria-label': t('keypad.group', { label }),
      'data-testid': `${id}-keypad`,
    },
    rows.flat().map((key) => {
      const special = SPECIAL[key];
      const button = h(
        'button',
        {
          type: 'button',
          class: `key${special ? ' key-special' : /^[A-Z]$/.test(key) ? ' key-letter' : ''}`,
          'aria-label': special ? special.label() : key,
          'aria-pressed': key === 'shift' ? 'false' : undefined,
          'data-key': key,
        },
        special ? special.text() : key,
      );
      button.addEventListener('click', () => press(button.dataset.key ?? ''));
      return button;
    }),
  );

  render();
  return {
    layout,
    display,
    pad,
    submit,
    get value() {
      return value;
    },
    set(next) {
      value = String(next).slice(0, maxLength);
      render();
    },
    /** Physical keyboard or scanner input, routed here by the screen. */
    key(event) {
      if (event.key === 'Backspace') press('back');
      else if (event.key === 'Escape') press('clear');
      else if (event.key === 'Enter') submit.click();
      else if (event.key.length === 1) press(event.key);
      else return false;
      return true;
    },
  };
}
