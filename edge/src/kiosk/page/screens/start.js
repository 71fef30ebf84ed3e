import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { icon } from '../icons.js';

/**
 * What a person sees first: the three things they can do, and how many boxes are free.
 * @param {import('../types').App} app
 * @returns {import('../types').Screen}
 */
export function startScreen(app) {
  const sizes = h('ul', {
    class: 'free-sizes',
    'aria-label': t('start.freeBoxes'),
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
    h('span', { class: 'alert-text' }, t('start.outOfService')),
  );

  /**
   * @param {string} key @param {string} cls @param {string} iconName @param {string} label
   * @param {string} hint @param {() => void} onclick
   */
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
    t('start.pickup'),
    t('start.pickupHint'),
    () => app.show('pickup'),
  );
  const courier = choice(
    'start-courier',
    'choice-courier',
    'truck',
    t('start.courier'),
    t('start.courierHint'),
    () => app.show('courier'),
  );
  const grant = choice('start-grant', 'choice-grant', 'key', t('start.grant'), t('start.grantHint'), () =>
    app.show('grant'),
  );

  /** @param {import('../types').KioskCabinet | null} cabinet */
  const update = (cabinet) => {
    if (!cabinet) return;
    sizes.replaceChildren(
      h('li', { class: 'free-title' }, t('start.freeBoxes')),
      ...cabinet.sizes.map((s) =>
        h(
          'li',
          { class: `free-size${s.free === 0 ? ' is-none' : ''}`, dataset: { size: s.size } },
          h('span', { class: 'free-count' }, formatNumber(s.free)),
          h('span', { class: 'free-name' }, t(`size.${s.size}`)),
        ),
      ),
    );
    // After many wrong codes the cabinet makes each further code wait a moment; nobody is locked out,
    // so the buttons stay usable and a refused try says how long to wait.
    outOfService.hidden = !cabinet.outOfService;
    const slowed = cabinet.slowdown && new Date(cabinet.slowdown.until).getTime() > Date.now();
    slowdown.hidden = !slowed;
    if (cabinet.slowdown && slowed) {
      const seconds = Math.max(
        1,
        Math.ceil((new Date(cabinet.slowdown.until).getTime() - Date.now()) / 1000),
      );
      slowdown.replaceChildren(
        icon('clock'),
        h('span', { class: 'alert-text' }, t('err.CODE_ENTRY_SLOWED', { seconds })),
      );
    }
  };
  update(app.cabinet);

  const el = h(
    'section',
    { class: 'start' },
    h('h1', { class: 'start-title' }, t('start.title')),
    outOfService,
    slowdown,
    h('div', { class: 'choices' }, pickup, courier, grant),
    sizes,
  );
  return { el, cabinetChanged: update };
}
