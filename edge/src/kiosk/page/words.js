import { currentLocale, formatTime, has, t } from './i18n.js';

/**
 * @typedef {{ code: string, message?: string, details?: import('./types').KioskErrorBody['details'] }} ErrorLike
 * @typedef {import('./types').KioskSession} KioskSession
 */

/**
 * The words for an API error in the screen's language: `err.<CODE>.<kind>` or `err.<CODE>` from the
 * message file, filled from `details`; the API's English `message` only for a code the files lack.
 * @param {ErrorLike} err
 * @param {string} [kind] the session kind the error is about, for wording that depends on it
 */
export function errorText(err, kind) {
  const d = err.details ?? {};
  const key = kind && has(`err.${err.code}.${kind}`) ? `err.${err.code}.${kind}` : `err.${err.code}`;
  if (!has(key)) return err.message || t('err.INTERNAL');
  const text = t(key, {
    boxNo: d.boxNo,
    seconds: typeof d.retryAfterMs === 'number' ? Math.max(1, Math.ceil(d.retryAfterMs / 1000)) : undefined,
    time: d.until ? formatTime(d.until) : undefined,
    size: d.size ? t(`size.${d.size}`) : undefined,
  });
  const tries = triesText(d);
  return tries ? sentences(text, tries) : text;
}

/**
 * Honest counts, as the daemon's limiter keeps them (ADR 0009, 0011): a code tried for the first time
 * has a fresh count of its own, so what limits the next guess is the cabinet's count; a code or user
 * number tried again has its own smaller count. A courier's login is counted per courier only.
 * @param {NonNullable<ErrorLike['details']>} d
 */
function triesText(d) {
  if (typeof d.triesLeft !== 'number') return '';
  const cab = d.cabinetTriesLeft;
  if (typeof cab !== 'number') return d.triesLeft > 0 ? t('tries.own', { count: d.triesLeft }) : '';
  const own = (d.failures ?? 0) > 1 ? d.triesLeft : undefined;
  if (own !== undefined && own < cab) return own > 0 ? t('tries.own', { count: own }) : t('tries.ownNone');
  return cab > 0 ? t('tries.cabinet', { count: cab }) : t('tries.cabinetNone');
}

/**
 * What a running or finished session's screen says, from its status code.
 * @param {KioskSession} s
 */
export function statusText(s) {
  const d = s.status?.details ?? {};
  const key = `status.${s.status?.code}`;
  if (!has(key)) return s.message;
  if (s.status.code === 'RECOLLECT_DONE') {
    const taken = t('status.RECOLLECT_DONE', { count: d.taken ?? 0 });
    const left = d.notOpened ?? [];
    return left.length > 0
      ? sentences(taken, t('status.RECOLLECT_LEFT', { boxes: left.join(', '), count: left.length }))
      : taken;
  }
  const text = t(key, { boxNo: d.boxNo ?? s.boxNo ?? '' });
  if (s.status.code === 'RECOLLECT_DOOR_OPEN' && d.remaining)
    return sentences(text, t('status.RECOLLECT_MORE', { count: d.remaining }));
  return text;
}

/**
 * Two sentences as one text: Chinese puts none of the space English puts after a full stop.
 * @param {string} a @param {string} b
 */
function sentences(a, b) {
  return currentLocale() === 'zh-CN' ? `${a}${b}` : `${a} ${b}`;
}
