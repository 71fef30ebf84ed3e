import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { statusText } from '../words.js';
import { cabinetMap, sizeLine } from './cabinet-map.js';
import { errorBanner } from './common.js';

/** @typedef {import('../types').KioskSession} KioskSession */

const POLL_MS = 500;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** @param {KioskSession['kind']} kind */
function problemsFor(kind) {
  if (kind === 'deposit' || kind === 'grant_deposit')
    return ['did_not_open', 'too_small', 'box_occupied', 'box_broken'];
  return ['did_not_open', 'box_broken'];
}

/** @param {KioskSession['kind']} kind */
function stepsFor(kind) {
  const deposit = kind === 'deposit' || kind === 'grant_deposit';
  const take = kind === 'recollect' ? t('session.stepTakeBack') : t('session.stepTake');
  return [t('session.stepOpen'), deposit ? t('session.stepPutIn') : take, t('done')];
}

/**
 * A running session: the box number huge, its status worded from the message files, polled every
 * 500 ms until final. The person can report a problem (another box is opened where possible) or cancel.
 * @param {import('../types').App} app
 * @param {{ id: string, session?: KioskSession }} params
 * @returns {import('../types').Screen}
 */
export function sessionScreen(app, { id, session: initial }) {
  const alert = errorBanner(app, initial?.kind);
  const boxNo = h('div', { class: 'box-number', 'data-testid': 'box-number' });
  const boxSize = h('div', { class: 'box-size' });
  const moved = h('p', { class: 'moved-note', role: 'status', 'data-testid': 'moved-note', hidden: true });
  const message = h('p', {
    class: 'session-message',
    'data-testid': 'session-message',
    'aria-live': 'polite',
  });
  const steps = h('ol', { class: 'steps' });
  const link = h('p', { class: 'hint link-hint', role: 'status', hidden: true }, t('session.reconnecting'));
  const problemButtons = h('div', { class: 'problem-buttons' });
  const map = h('div', { class: 'map-holder' });
  /** @type {string | null | undefined} the box the map shows */
  let mapped;
  // Boards with no occupancy sensor: the door is shut and only the courier knows the parcel is in.
  const inside = h(
    'button',
    { type: 'button', class: 'btn btn-primary btn-inside', 'data-testid': 'parcel-inside' },
    t('session.parcelInside'),
  );
  const confirm = h(
    'div',
    { class: 'confirm-parcel', 'data-testid': 'confirm-parcel', hidden: true },
    h('p', { class: 'hint' }, t('session.confirmHint')),
    inside,
  );
  const cancel = h(
    'button',
    { type: 'button', class: 'btn btn-light btn-cancel', 'data-testid': 'cancel' },
    t('session.cancel'),
  );
  /** @type {number | undefined} */
  let timer;
  let left = false;
  /** @type {KioskSession | null} */
  let last = null;
  let acting = false;

  /** @param {boolean} on */
  const setActing = (on) => {
    acting = on;
    for (const b of [...problemButtons.querySelectorAll('button'), cancel, inside]) b.disabled = on;
  };

  /** @param {KioskSession} s */
  const render = (s) => {
    if (left) return;
    if (FINAL.has(s.state)) return finish(s);
    const changed = last && last.boxNo !== s.boxNo;
    if (!last || last.kind !== s.kind) {
      problemButtons.replaceChildren(
        ...problemsFor(s.kind).map((p) => {
          const b = h(
            'button',
            { type: 'button', class: 'btn btn-problem', 'data-problem': p },
            t(`problem.${p}`),
          );
          b.addEventListener('click', () => report(p, b));
          return b;
        }),
      );
      steps.replaceChildren(
        ...stepsFor(s.kind).map((text, i) =>
          h('li', { class: 'step' }, h('span', { class: 'step-no' }, String(i + 1)), text),
        ),
      );
    }
    last = s;
    app.activeBox = s.boxNo;
    boxNo.textContent = s.boxNo ?? '–';
    boxSize.textContent = sizeLine(app.cabinet, s.boxNo, s.size);
    if (mapped !== s.boxNo) {
      mapped = s.boxNo;
      map.replaceChildren(cabinetMap(app.cabinet, s.boxNo) ?? '');
    }
    const words = statusText(s);
    if (message.textContent !== words) message.textContent = words;
    const at = s.state === 'open' && !s.awaitingConfirm ? 0 : 1;
    steps.querySelectorAll('.step').forEach((li, i) => {
      li.classList.toggle('is-done', i < at);
      li.classList.toggle('is-current', i === at);
      if (i === at) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    el.dataset.state = s.state;
    confirm.hidden = !s.awaitingConfirm;
    const tried = s.boxesTried ?? [];
    moved.hidden = tried.length === 0 || !s.boxNo;
    if (!moved.hidden) moved.textContent = t('session.moved', { from: tried.at(-1), boxNo: s.boxNo });
    if (changed) {
      boxNo.classList.remove('is-moved');
      void boxNo.offsetWidth;
      boxNo.classList.add('is-moved');
    }
  };

  /** @param {KioskSession} s */
  const finish = (s) => {
    stop();
    app.activeBox = null;
    if (s.state === 'completed') app.show('done', { session: s });
    else if (s.state === 'failed') {
      app.show('message', {
        error: s.error ?? { code: 'INTERNAL', message: s.message },
        kind: s.kind,
        title: s.boxNo ? t('session.boxTitle', { boxNo: s.boxNo }) : undefined,
      });
    } else app.show('message', { info: statusText(s), title: t('session.cancelled'), infoIcon: 'door' });
  };

  const stop = () => {
    left = true;
    clearTimeout(timer);
  };

  const poll = async () => {
    try {
      const s = await api.session(id);
      link.hidden = true;
      if (!acting) render(s);
    } catch (/** @type {any} */ err) {
      if (err.code === 'SESSION_NOT_FOUND') {
        stop();
        return app.show('message', { error: err });
      }
      link.hidden = false;
    }
    if (!left) timer = window.setTimeout(poll, POLL_MS);
  };

  /** @param {string} problem @param {HTMLButtonElement} button */
  const report = async (problem, button) => {
    if (acting) return;
    alert.clear();
    setActing(true);
    button.classList.add('is-busy');
    message.textContent = problem === 'too_small' ? t('session.largerBox') : t('session.oneMoment');
    try {
      const s = await api.problem(id, problem);
      setActing(false);
      render(s);
    } catch (err) {
      setActing(false);
      if (last) message.textContent = statusText(last);
      alert.show(/** @type {any} */ (err));
    } finally {
      button.classList.remove('is-busy');
    }
  };

  inside.addEventListener('click', async () => {
    if (acting) return;
    alert.clear();
    setActing(true);
    try {
      render(await api.parcelInside(id));
    } catch (err) {
      setActing(false);
      alert.show(/** @type {any} */ (err));
    }
  });

  cancel.addEventListener('click', async () => {
    if (acting) return;
    alert.clear();
    setActing(true);
    try {
      render(await api.cancel(id));
    } catch (err) {
      setActing(false);
      alert.show(/** @type {any} */ (err));
    }
  });

  const el = h(
    'section',
    { class: 'panel session', 'data-testid': 'session' },
    h(
      'div',
      { class: 'session-main' },
      h(
        'div',
        { class: 'box-tile', 'aria-label': t('session.yourBox') },
        h('div', { class: 'box-caption' }, t('session.box')),
        boxNo,
        boxSize,
      ),
      h(
        'div',
        { class: 'session-side' },
        h('h1', { class: 'visually-hidden' }, t('session.yourBox')),
        moved,
        message,
        steps,
        confirm,
        map,
        link,
        alert.el,
      ),
    ),
    h(
      'div',
      { class: 'session-foot' },
      h('p', { class: 'problems-title' }, icon('warning'), t('session.problems')),
      problemButtons,
      cancel,
    ),
  );

  if (initial && FINAL.has(initial.state)) {
    // Let the screen switch finish before moving on (a box can fail to open before the first poll).
    timer = window.setTimeout(() => finish(initial), 0);
  } else {
    if (initial) render(initial);
    timer = window.setTimeout(poll, initial ? POLL_MS : 0);
  }
  // The language switch shows the same session again, from what was last seen.
  return { el, leave: stop, snapshot: () => ({ id, session: last ?? initial }) };
}
