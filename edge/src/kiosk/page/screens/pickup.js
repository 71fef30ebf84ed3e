import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { createEntry } from '../keypad.js';
import { busy, entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const CODE = /^[0-9]{6}$/;
/** A signed grant token (a pickup right handed on): it goes to the grant check, not the parcel codes. */
const GRANT_TOKEN = /^LG1\.[A-Za-z0-9_-]{20,800}\.[A-Za-z0-9_-]{86}$/;

/**
 * Pickup: six digits on the pad, or a QR token from a scanner (it types like a keyboard) or a paste.
 * @param {import('../types').App} app
 * @returns {import('../types').Screen}
 */
export function pickupScreen(app) {
  const alert = errorBanner(app, 'pickup');
  let scanned = '';
  let sending = false;

  /** @param {{ code: string } | { token: string } | { grantToken: string }} credential */
  const send = async (credential) => {
    if (sending) return;
    sending = true;
    alert.clear();
    try {
      const session = await busy(entry.submit, t('opening'), () =>
        'grantToken' in credential ? api.useGrantToken(credential.grantToken) : api.pickup(credential),
      );
      app.show('session', { id: session.id, session });
    } catch (err) {
      handleStartError(app, err, alert);
      entry.set('');
    } finally {
      sending = false;
    }
  };

  const entry = createEntry({
    id: 'pickup-code',
    label: t('pickup.label'),
    cells: 6,
    submitLabel: t('openMyBox'),
    onSubmit: (code) => send({ code }),
  });

  /** @param {string} text */
  const fromScan = (text) => {
    if (CODE.test(text)) {
      entry.set(text);
      send({ code: text });
    } else if (TOKEN.test(text)) {
      send({ token: text });
    } else if (GRANT_TOKEN.test(text)) {
      send({ grantToken: text });
    } else {
      alert.show({ code: 'NOT_A_PICKUP_QR' });
    }
    return true;
  };

  const el = frame({
    title: t('pickup.title'),
    subtitle: t('pickup.subtitle'),
    back: () => app.home(),
    body: entryLayout(entry, {
      prompt: t('pickup.label'),
      alert,
      extra: h('p', { class: 'hint' }, t('pickup.qrHint')),
    }),
  });

  return {
    el,
    idleMs: 60_000,
    onPaste: fromScan,
    /** Digits go to the pad; anything else means a scanner is typing a token, ended by Enter. */
    onKey(event) {
      if (event.key === 'Enter') {
        const text = scanned;
        scanned = '';
        return text.length > 6 ? fromScan(text) : entry.key(event);
      }
      if (event.key.length === 1) {
        scanned += event.key;
        if (!/^[0-9]*$/.test(scanned) || scanned.length > 6) return true;
      } else if (event.key === 'Backspace' || event.key === 'Escape') {
        scanned = '';
      }
      return entry.key(event);
    },
  };
}
