import { simulatorApi } from './api.js';
import { h } from './dom.js';

const REFRESH_MS = 700;

/**
 * The "simulated hardware" drawer, for demos and tests: shown only when the daemon runs on the in-process
 * board simulator (GET /api/simulator/boxes answers). It plays the person's hands: close a door, put a
 * parcel in, jam a lock. It is kept apart from the customer UI (own corner, own look).
 */
export async function initSimulator(root, app) {
  try {
    await simulatorApi.boxes();
  } catch {
    return; // real hardware: no drawer
  }
  let timer = null;
  const rows = h('tbody');
  const note = h('p', { class: 'sim-note', role: 'status' });
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'sim-toggle',
      'aria-expanded': 'false',
      'aria-controls': 'sim-drawer',
      'data-testid': 'sim-toggle',
    },
    'Simulated hardware',
  );
  const drawer = h(
    'aside',
    { class: 'sim sim-drawer', id: 'sim-drawer', 'aria-label': 'Simulated hardware', hidden: true },
    h(
      'div',
      { class: 'sim-head' },
      h('h2', {}, 'Simulated hardware'),
      h(
        'button',
        { type: 'button', class: 'sim-btn', 'data-testid': 'sim-close', onclick: () => setOpen(false) },
        'Close',
      ),
    ),
    h(
      'p',
      { class: 'sim-note' },
      'Not part of the cabinet screen: these buttons stand in for doors and parcels.',
    ),
    note,
    h(
      'table',
      { class: 'sim-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Box', 'Size', 'State', 'Door', 'Item', 'Lock'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      rows,
    ),
  );

  const act = async (work) => {
    try {
      await work();
      note.textContent = '';
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : String(err);
    }
    refresh();
  };

  const drawn = new Map();
  const render = (boxes) => {
    rows.replaceChildren(
      ...boxes.map((b) => {
        // Rows that did not change stay in place, so a tap never lands on a row being replaced.
        const key = JSON.stringify([b, b.boxNo === app.activeBox]);
        const old = drawn.get(b.boxNo);
        if (old?.key === key) return old.tr;
        const tr = row(b);
        drawn.set(b.boxNo, { key, tr });
        return tr;
      }),
    );
  };

  const row = (b) => {
    const button = (label, action, work) =>
      h(
        'button',
        { type: 'button', class: 'sim-btn', 'data-action': action, onclick: () => act(work) },
        label,
      );
    return h(
      'tr',
      { class: b.boxNo === app.activeBox ? 'is-active' : '', 'data-testid': `sim-box-${b.boxNo}` },
      h('th', { scope: 'row' }, b.boxNo),
      h('td', {}, b.size),
      h('td', {}, b.usage ?? ''),
      h(
        'td',
        {},
        h('span', { class: `sim-dot sim-${b.door}` }, b.door),
        b.door === 'open'
          ? button('Close', 'close-door', () => simulatorApi.door(b.boxNo, 'closed'))
          : button('Open', 'open-door', () => simulatorApi.door(b.boxNo, 'open')),
      ),
      h(
        'td',
        {},
        h(
          'span',
          { class: `sim-dot ${b.occupied ? 'sim-full' : 'sim-empty'}` },
          b.occupied ? 'parcel' : 'empty',
        ),
        b.occupied
          ? button('Take out', 'take-out', () => simulatorApi.occupancy(b.boxNo, false))
          : button('Put in', 'put-in', () => simulatorApi.occupancy(b.boxNo, true)),
      ),
      h(
        'td',
        {},
        b.jammed
          ? button('Unjam', 'unjam', () => simulatorApi.jam(b.boxNo, false))
          : button('Jam', 'jam', () => simulatorApi.jam(b.boxNo, true)),
      ),
    );
  };

  const refresh = async () => {
    clearTimeout(timer);
    if (drawer.hidden) return;
    try {
      const { boxes } = await simulatorApi.boxes();
      render(boxes);
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : String(err);
    }
    if (!drawer.hidden) timer = setTimeout(refresh, REFRESH_MS);
  };

  const setOpen = (open) => {
    drawer.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) refresh();
    else clearTimeout(timer);
  };
  toggle.addEventListener('click', () => setOpen(drawer.hidden));
  document.querySelector('.topbar-right')?.prepend(toggle);
  root.replaceChildren(drawer);
}
