import { h, SIZE_NAMES } from '../dom.js';
import { icon } from '../icons.js';

/** What a person sees first: the three things they can do, and how many boxes are free. */
export function startScreen(app) {
  const sizes = h('ul', {
    class: 'free-sizes',
    'aria-label': 'Free boxes by size',
    'data-testid': 'free-sizes',
  });
  const lockout = h('div', {
    class: 'alert alert-danger',
    role: 'status',
    'data-testid': 'lockout',
    hidden: true,
  });

  const choice = (key, cls, iconName, label, hint, onclick) =>
    h(
      'button',
      { type: 'button', class: `choice ${cls}`, 'data-testid': key, onclick },
      icon(iconName, 'choice-icon'),
      h('span', { class: 'choice-label' }, label),
      h('span', { class: 'choice-hint' }, hint),
    );

  const pickup = choice(
    'start-pickup',
    'choice-main',
    'parcel',
    'Pick up a parcel',
    'I have a pickup code',
    () => app.show('pickup'),
  );
  const courier = choice('start-courier', 'choice-courier', 'truck', 'Courier deposit', 'Courier login', () =>
    app.show('courier'),
  );
  const grant = choice(
    'start-grant',
    'choice-grant',
    'key',
    'Use an authorized box',
    'I was given a box',
    () => app.show('grant'),
  );

  const update = (cabinet) => {
    if (!cabinet) return;
    sizes.replaceChildren(
      h('li', { class: 'free-title' }, 'Free boxes'),
      ...cabinet.sizes.map((s) =>
        h(
          'li',
          { class: `free-size${s.free === 0 ? ' is-none' : ''}`, dataset: { size: s.size } },
          h('span', { class: 'free-count' }, String(s.free)),
          h('span', { class: 'free-name' }, SIZE_NAMES[s.size] ?? s.size),
        ),
      ),
    );
    const locked = cabinet.lockout && new Date(cabinet.lockout.until).getTime() > Date.now();
    lockout.hidden = !locked;
    if (locked) {
      const until = new Date(cabinet.lockout.until).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      });
      lockout.replaceChildren(
        icon('lock'),
        h(
          'span',
          { class: 'alert-text' },
          cabinet.lockout.message,
          h('br'),
          `Code entry opens again at ${until}.`,
        ),
      );
    }
    // A cabinet-wide lockout refuses every code and PIN until it runs out.
    for (const b of [pickup, courier, grant]) b.disabled = Boolean(locked);
  };
  update(app.cabinet);

  const el = h(
    'section',
    { class: 'start' },
    h('h1', { class: 'start-title' }, 'Welcome. What would you like to do?'),
    lockout,
    h('div', { class: 'choices' }, pickup, courier, grant),
    sizes,
  );
  return { el, cabinetChanged: update };
}
