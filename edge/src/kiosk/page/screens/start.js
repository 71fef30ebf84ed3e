import { h, SIZE_NAMES } from '../dom.js';
import { icon } from '../icons.js';

/** What a person sees first: the three things they can do, and how many boxes are free. */
export function startScreen(app) {
  const sizes = h('ul', {
    class: 'free-sizes',
    'aria-label': 'Free boxes by size',
    'data-testid': 'free-sizes',
  });
  const slowdown = h('div', {
    class: 'alert alert-warn',
    role: 'status',
    'data-testid': 'slowdown',
    hidden: true,
  });
  // An operator took the whole cabinet out of service: parcels may leave, none may come in.
  const outOfService = h(
    'div',
    { class: 'alert alert-warn', role: 'status', 'data-testid': 'out-of-service', hidden: true },
    h(
      'span',
      { class: 'alert-text' },
      'This cabinet takes no parcels right now. Collecting a parcel still works.',
    ),
  );

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
    // After many wrong codes the cabinet makes each further code wait a moment; nobody is locked out,
    // so the buttons stay usable and a refused try says how long to wait.
    outOfService.hidden = !cabinet.outOfService;
    const slowed = cabinet.slowdown && new Date(cabinet.slowdown.until).getTime() > Date.now();
    slowdown.hidden = !slowed;
    if (slowed) {
      slowdown.replaceChildren(icon('clock'), h('span', { class: 'alert-text' }, cabinet.slowdown.message));
    }
  };
  update(app.cabinet);

  const el = h(
    'section',
    { class: 'start' },
    h('h1', { class: 'start-title' }, 'Welcome. What would you like to do?'),
    outOfService,
    slowdown,
    h('div', { class: 'choices' }, pickup, courier, grant),
    sizes,
  );
  return { el, cabinetChanged: update };
}
