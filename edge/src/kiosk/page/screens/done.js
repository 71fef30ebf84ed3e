import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { qrSvg } from '../qr.js';
import { statusText } from '../words.js';

/** "483920" -> "483 920": easier to read out and copy. @param {string} code */
const grouped = (code) => code.replace(/^(\d{3})(\d{3})$/, '$1 $2');

/** What the code screen says about the recipient being told. */
const CODE_NOTE = { phone: 'done.codeSentPhone', waybill: 'done.codeSentWaybill', none: 'done.codeOnce' };

/** The pickup code stays at least this long, whatever the taps, before idle may end the screen. */
export const CODE_MIN_SHOW_MS = 30_000;

/**
 * A finished session. After a deposit the recipient's pickup code is shown once, big (the daemon keeps
 * no readable copy, ADR 0006): Finish asks to confirm first, and idle does not end the screen before
 * the code has been up for CODE_MIN_SHOW_MS. Then the page goes back to the start so the next person
 * never sees it.
 * @param {import('../types').App} app
 * @param {{ session: import('../types').KioskSession }} params
 * @returns {import('../types').Screen}
 */
export function doneScreen(app, { session: s }) {
  const deposit = s.kind === 'deposit' || s.kind === 'grant_deposit';
  const code = deposit ? s.pickupCode : null;
  const confirm = h(
    'div',
    {
      class: 'confirm',
      role: 'alertdialog',
      'aria-labelledby': 'confirm-text',
      'data-testid': 'confirm-finish',
      hidden: true,
    },
    h('p', { id: 'confirm-text', class: 'confirm-text' }, t('done.confirmText')),
    h(
      'div',
      { class: 'confirm-actions' },
      h(
        'button',
        { type: 'button', class: 'btn btn-light', 'data-testid': 'confirm-no', onclick: () => toggle(false) },
        t('done.showCode'),
      ),
      h(
        'button',
        { type: 'button', class: 'btn btn-primary', 'data-testid': 'confirm-yes', onclick: () => leave() },
        t('done.confirmYes'),
      ),
    ),
  );
  const actions = h('div', { class: 'done-actions' });
  /** Where "yes" goes: the start, or the next deposit when that is what the courier tapped. */
  let leave = () => app.home();
  /** @param {boolean} asking @param {() => void} [then] */
  const toggle = (asking, then) => {
    if (then) leave = then;
    confirm.hidden = !asking;
    actions.hidden = asking;
    /** @type {HTMLElement | null} */ (
      asking ? confirm.querySelector('[data-testid="confirm-no"]') : finish
    )?.focus();
  };
  const finish = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-primary',
      'data-testid': 'finish',
      onclick: () => (code ? toggle(true, () => app.home()) : app.home()),
    },
    t('finish'),
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
            onclick: () => {
              const next = () => app.show('courier', { step: 'size' });
              return code ? toggle(true, next) : next();
            },
          },
          s.kind === 'deposit' ? t('done.depositAnother') : t('done.depositOne'),
        )
      : null;
  actions.append(...[more, finish].filter((b) => b !== null));

  const body = deposit
    ? [
        h('h1', {}, t('done.deposited', { boxNo: s.boxNo ?? '' })),
        code
          ? h(
              'div',
              { class: 'code-card' },
              h('p', { class: 'code-label', id: 'pickup-code-label' }, t('done.codeLabel')),
              h(
                'p',
                {
                  class: 'pickup-code',
                  'data-testid': 'pickup-code',
                  'aria-labelledby': 'pickup-code-label',
                  'data-code': code,
                },
                grouped(code),
              ),
              s.pickupToken
                ? h(
                    'figure',
                    { class: 'code-qr', 'data-testid': 'pickup-qr' },
                    qrSvg(s.pickupToken, t('done.qrLabel')),
                    h('figcaption', { class: 'hint' }, t('done.qrHint')),
                  )
                : null,
              // Only what is true: the cloud tells the recipient only when it got the sealed code and whom to
              // tell (ADR 0013); otherwise the courier hands the code on.
              h(
                'p',
                { class: 'code-note', 'data-testid': 'code-note' },
                t(CODE_NOTE[s.codeSentTo ?? 'none']),
              ),
            )
          : h('p', { class: 'done-message', role: 'status' }, statusText(s)),
      ]
    : [
        h('h1', {}, t('done.thanks')),
        h('p', { class: 'done-message', role: 'status', 'data-testid': 'done-message' }, statusText(s)),
      ];

  const el = h(
    'section',
    { class: `panel done ${deposit ? 'done-deposit' : 'done-pickup'}`, 'data-testid': 'done' },
    h('div', { class: 'done-icon' }, icon('check')),
    ...body,
    actions,
    confirm,
  );
  return {
    el,
    idleMs: deposit ? 60_000 : 15_000,
    minShowMs: code ? CODE_MIN_SHOW_MS : 0,
    // A language switch shows the code again (it is in this screen's memory, nowhere else).
    snapshot: () => ({ session: s }),
  };
}
