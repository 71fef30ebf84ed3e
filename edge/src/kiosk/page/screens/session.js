import { api } from '../api.js';
import { h, SIZE_NAMES } from '../dom.js';
import { icon } from '../icons.js';
import { errorBanner } from './common.js';

const POLL_MS = 500;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

const PROBLEMS = {
  did_not_open: 'The door did not open',
  too_small: 'The box is too small',
  box_occupied: 'The box is not empty',
  box_broken: 'The box is broken',
};

function problemsFor(kind) {
  if (kind === 'deposit' || kind === 'grant_deposit')
    return ['did_not_open', 'too_small', 'box_occupied', 'box_broken'];
  return ['did_not_open', 'box_broken'];
}

function stepsFor(kind) {
  const deposit = kind === 'deposit' || kind === 'grant_deposit';
  const take =
    kind === 'recollect'
      ? 'Take the expired parcel out and close the door'
      : 'Take your parcel and close the door';
  return ['Open the door', deposit ? 'Put the parcel in and close the door' : take, 'Done'];
}

/**
 * A running session: the box number huge, the daemon's message big, polled every 500 ms until final.
 * The person can report a problem with the box (another box is opened where possible) or cancel.
 */
export function sessionScreen(app, { id, session: initial }) {
  const alert = errorBanner();
  const boxNo = h('div', { class: 'box-number', 'data-testid': 'box-number' });
  const boxSize = h('div', { class: 'box-size' });
  const moved = h('p', { class: 'moved-note', role: 'status', 'data-testid': 'moved-note', hidden: true });
  const message = h('p', {
    class: 'session-message',
    'data-testid': 'session-message',
    'aria-live': 'polite',
  });
  const steps = h('ol', { class: 'steps' });
  const link = h(
    'p',
    { class: 'hint link-hint', role: 'status', hidden: true },
    'Reconnecting to the cabinet…',
  );
  const problemButtons = h('div', { class: 'problem-buttons' });
  const cancel = h(
    'button',
    { type: 'button', class: 'btn btn-light btn-cancel', 'data-testid': 'cancel' },
    'Cancel',
  );
  let timer = null;
  let left = false;
  let last = null;
  let acting = false;

  const setActing = (on) => {
    acting = on;
    for (const b of [...problemButtons.querySelectorAll('button'), cancel]) b.disabled = on;
  };

  const render = (s) => {
    if (left) return;
    if (FINAL.has(s.state)) return finish(s);
    const changed = last && last.boxNo !== s.boxNo;
    if (!last || last.kind !== s.kind) {
      problemButtons.replaceChildren(
        ...problemsFor(s.kind).map((p) => {
          const b = h('button', { type: 'button', class: 'btn btn-problem', 'data-problem': p }, PROBLEMS[p]);
          b.addEventListener('click', () => report(p, b));
          return b;
        }),
      );
      steps.replaceChildren(
        ...stepsFor(s.kind).map((t, i) =>
          h('li', { class: 'step' }, h('span', { class: 'step-no' }, String(i + 1)), t),
        ),
      );
    }
    last = s;
    app.activeBox = s.boxNo;
    boxNo.textContent = s.boxNo ?? '–';
    boxSize.textContent = s.size ? SIZE_NAMES[s.size] : '';
    if (message.textContent !== s.message) message.textContent = s.message;
    const at = s.state === 'open' ? 0 : 1;
    steps.querySelectorAll('.step').forEach((li, i) => {
      li.classList.toggle('is-done', i < at);
      li.classList.toggle('is-current', i === at);
      if (i === at) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    el.dataset.state = s.state;
    const tried = s.boxesTried ?? [];
    moved.hidden = tried.length === 0 || !s.boxNo;
    if (!moved.hidden) moved.textContent = `Box ${tried.at(-1)} was set aside. Please use box ${s.boxNo}.`;
    if (changed) {
      boxNo.classList.remove('is-moved');
      void boxNo.offsetWidth;
      boxNo.classList.add('is-moved');
    }
  };

  const finish = (s) => {
    stop();
    app.activeBox = null;
    if (s.state === 'completed') app.show('done', { session: s });
    else if (s.state === 'failed') {
      app.show('message', {
        error: s.error ?? { code: 'FAILED', message: s.message },
        title: s.boxNo ? `Box ${s.boxNo}` : 'Sorry',
      });
    } else app.show('message', { info: s.message, title: 'Cancelled' });
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
    } catch (err) {
      if (err.code === 'SESSION_NOT_FOUND') {
        stop();
        return app.show('message', { error: err });
      }
      link.hidden = false;
    }
    if (!left) timer = setTimeout(poll, POLL_MS);
  };

  const report = async (problem, button) => {
    if (acting) return;
    alert.clear();
    setActing(true);
    button.classList.add('is-busy');
    message.textContent = problem === 'too_small' ? 'Looking for a larger box…' : 'One moment…';
    try {
      const s = await api.problem(id, problem);
      setActing(false);
      render(s);
    } catch (err) {
      setActing(false);
      if (last) message.textContent = last.message;
      alert.show(err);
    } finally {
      button.classList.remove('is-busy');
    }
  };

  cancel.addEventListener('click', async () => {
    if (acting) return;
    alert.clear();
    setActing(true);
    try {
      render(await api.cancel(id));
    } catch (err) {
      setActing(false);
      alert.show(err);
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
        { class: 'box-tile', 'aria-label': 'Your box' },
        h('div', { class: 'box-caption' }, 'Box'),
        boxNo,
        boxSize,
      ),
      h(
        'div',
        { class: 'session-side' },
        h('h1', { class: 'visually-hidden' }, 'Your box'),
        moved,
        message,
        steps,
        link,
        alert.el,
      ),
    ),
    h(
      'div',
      { class: 'session-foot' },
      h('p', { class: 'problems-title' }, icon('warning'), 'Problem with the box?'),
      problemButtons,
      cancel,
    ),
  );

  if (initial && FINAL.has(initial.state)) {
    // Let the screen switch finish before moving on (a box can fail to open before the first poll).
    timer = setTimeout(() => finish(initial), 0);
  } else {
    if (initial) render(initial);
    timer = setTimeout(poll, initial ? POLL_MS : 0);
  }
  return { el, leave: stop };
}
