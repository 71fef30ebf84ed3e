/**
 * The page's words and formats. Every text lives in messages/<locale>.json (the same keys in each,
 * checked by edge/test/kiosk-messages.test.ts); numbers, times and dates go through Intl, in the
 * cabinet's one time zone, 24-hour.
 *
 * @typedef {'zh-CN' | 'en'} Locale
 * @typedef {Record<string, string>} Messages
 * @typedef {Record<string, string | number | undefined | null>} Params
 */

/** @type {Locale[]} */
export const LOCALES = ['zh-CN', 'en'];

/** @type {Partial<Record<Locale, Messages>>} */
const loaded = {};
/** @type {Locale} */
let locale = 'zh-CN';
let timeZone = 'Asia/Shanghai';

/** Loads both message files once at start, so switching language never waits for the daemon. */
export async function loadMessages() {
  await Promise.all(
    LOCALES.map(async (l) => {
      const res = await fetch(`messages/${l}.json`, { cache: 'no-store' });
      loaded[l] = /** @type {Messages} */ (await res.json());
    }),
  );
}

/** @param {Locale} next */
export function setLocale(next) {
  locale = LOCALES.includes(next) ? next : 'zh-CN';
  document.documentElement.lang = locale;
}

/** @returns {Locale} */
export function currentLocale() {
  return locale;
}

/** @param {string} tz */
export function setTimeZone(tz) {
  timeZone = tz;
}

/** @param {string} key */
export function has(key) {
  return typeof loaded[locale]?.[key] === 'string';
}

/**
 * The text of `key` with `{name}` filled in; a number is formatted for the locale. With a numeric
 * `count`, `key.one` / `key.other` (the locale's plural rule) is used when the file has it.
 * @param {string} key
 * @param {Params} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const words = loaded[locale] ?? {};
  let text = words[key];
  if (typeof params.count === 'number') {
    const plural =
      words[`${key}.${new Intl.PluralRules(locale).select(params.count)}`] ?? words[`${key}.other`];
    text = plural ?? text;
  }
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const v = params[name];
    if (typeof v === 'number') return formatNumber(v);
    return v === undefined || v === null ? '' : String(v);
  });
}

/** @param {number} n */
export function formatNumber(n) {
  return new Intl.NumberFormat(locale).format(n);
}

/**
 * The one time format of the screen: 24-hour, the cabinet's time zone.
 * @param {Date | string | number} at
 */
export function formatTime(at) {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** @param {Date | string | number} at */
export function formatDate(at) {
  return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'long', day: 'numeric' }).format(
    new Date(at),
  );
}
