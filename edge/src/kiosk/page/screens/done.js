import { h } from '../dom.js';
import { icon } from '../icons.js';

/** "483920" -> "483 920": easier to read out and copy. */
const grouped = (code) => code.replace(/^(\d{3})(\d{3})$/, '$1 $2');

/**
 * A finished session. After a deposit the recipient's pickup code is shown once, big; the page goes
 * back to the start screen after a minute so the next person never sees it.
 */
export function doneScreen(app, { session: s }) {
  const deposit = s.kind === 'deposit' || s.kind === 'grant_deposit';
  const finish = h(
    'button',
    { type: 'button', class: 'btn btn-primary', 'data-testid': 'finish', onclick: () => app.home() },
    'Finish',
  );
  // A courier stays logged in after a deposit or a recollection, to deposit (more) straight away.
  const more =
    (s.kind === 'deposit' || s.kind === 'recollect') && app.courier
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-light',
            'data-testid': 'deposit-another',
            onclick: () => app.show('courier', { step: 'size' }),
          },
          s.kind === 'deposit' ? 'Deposit another parcel' : 'Deposit a parcel',
        )
      : null;

  const body = deposit
    ? [
        h('h1', {}, `Parcel deposited in box ${s.boxNo}`),
        s.pickupCode
          ? h(
              'div',
              { class: 'code-card' },
              h('p', { class: 'code-label', id: 'pickup-code-label' }, 'Pickup code for the recipient'),
              h(
                'p',
                {
                  class: 'pickup-code',
                  'data-testid': 'pickup-code',
                  'aria-labelledby': 'pickup-code-label',
                  'data-code': s.pickupCode,
                },
                grouped(s.pickupCode),
              ),
              h('p', { class: 'hint' }, 'The recipient gets this code in a message. It is shown only once.'),
            )
          : h('p', { class: 'done-message', role: 'status' }, s.message),
      ]
    : [
        h('h1', {}, 'Thank you!'),
        h('p', { class: 'done-message', role: 'status', 'data-testid': 'done-message' }, s.message),
      ];

  const el = h(
    'section',
    { class: `panel done ${deposit ? 'done-deposit' : 'done-pickup'}`, 'data-testid': 'done' },
    h('div', { class: 'done-icon' }, icon('check')),
    ...body,
    h('div', { class: 'done-actions' }, more, finish),
  );
  return { el, idleMs: deposit ? 60_000 : 15_000 };
}
