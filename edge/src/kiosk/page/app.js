import { api } from './api.js';
import { currentLocale, formatTime, loadMessages, setLocale, setTimeZone, t } from './i18n.js';
import { courierScreen } from './screens/courier.js';
import { doneScreen } from './screens/done.js';
import { grantScreen } from './screens/grant.js';
import { maintenanceScreen } from './screens/maintenance.js';
import { messageScreen } from './screens/message.js';
import { pickupScreen } from './screens/pickup.js';
import { sessionScreen } from './screens/session.js';
import { startScreen } from './screens/start.js';
import { initSimulator } from './simulator.js';

/**
 * @typedef {import('./types').App} App
 * @typedef {import('./types').Screen} Screen
 * @typedef {import('./types').ScreenName} ScreenName
 */

/** @type {Record<ScreenName, (app: App, params: any) => Screen>} */
const SCREENS = {
  start: startScreen,
  pickup: pickupScreen,
  courier: courierScreen,
  grant: grantScreen,
  session: sessionScreen,
  done: doneScreen,
  message: messageScreen,
  maintenance: maintenanceScreen,
};

/** Seconds of the idle countdown shown (with "more time") before the page goes back to the start. */
const WARN_SEC = 15;
const CABINET_REFRESH_MS = 5000;

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const root = byId('screen');
const kiosk = byId('kiosk');
const offlineBanner = byId('offline-banner');
const cabinetLabel = byId('cabinet-id');
const timeoutBar = byId('timeout-bar');
const timeoutText = byId('timeout-text');
const langButton = byId('lang-switch');
const reachButton = byId('low-reach');

/** @type {(Screen & { name: ScreenName, params: object }) | null} */
let current = null;
let lastActivity = Date.now();
let shownAt = Date.now();

/**
 * The page's one piece of state. Secrets (codes, PINs) live only here, in memory, for as long as the
 * person is at the screen; going back to the start screen forgets them. Nothing goes to storage or URLs.
 * @type {App}
 */
const app = {
  cabinet: null,
  courier: null,
  activeBox: null,

  show(name, params = {}) {
    current?.leave?.();
    const screen = SCREENS[name](app, params);
    current = { name, params, ...screen };
    root.replaceChildren(screen.el);
    root.dataset.screen = name;
    document.body.dataset.screen = name;
    shownAt = Date.now();
    touch();
    const heading = screen.el.querySelector('h1');
    (heading ?? root).setAttribute('tabindex', '-1');
    (heading ?? root).focus({ preventScroll: true });
  },

  /** Back to the start screen: forget everything about the last person, and their language. */
  home() {
    app.courier = null;
    app.activeBox = null;
    setLocale(app.cabinet?.locale ?? 'zh-CN');
    setLowReach(false);
    renderChrome();
    app.show(app.cabinet?.maintenance ? 'maintenance' : 'start');
    app.refreshCabinet();
  },

  async refreshCabinet() {
    try {
      const fresh = await api.cabinet();
      const wasOut = app.cabinet?.maintenance;
      app.cabinet = fresh;
      setTimeZone(fresh.timeZone);
      if (current?.name === 'start' && fresh.maintenance) app.show('maintenance');
      else if (current?.name === 'maintenance' && !fresh.maintenance) app.show('start');
      else if (wasOut === undefined && fresh.maintenance) app.show('maintenance');
    } catch {
      // Keep the last known picture; the daemon may be restarting.
    }
    renderChrome();
    current?.cabinetChanged?.(app.cabinet);
    return app.cabinet;
  },

  rerender() {
    renderChrome();
    if (current) app.show(current.name, current.snapshot?.() ?? current.params);
  },
};

function renderChrome() {
  const c = app.cabinet;
  byId('brand-name').textContent = t('brand');
  cabinetLabel.textContent = c ? t('header.cabinet', { id: c.cabinetId }) : '';
  offlineBanner.hidden = !c || c.online;
  offlineBanner.textContent = t('offline.banner');
  // The button names the other language in that language, so a person who reads only it finds it.
  const other = currentLocale() === 'zh-CN' ? 'en' : 'zh-CN';
  langButton.textContent = other === 'en' ? 'English' : '中文';
  langButton.setAttribute('lang', other);
  langButton.setAttribute('aria-label', other === 'en' ? 'Switch to English' : '切换到中文');
  reachButton.textContent = t('lowReach.button');
  byId('timeout-more').textContent = t('idle.moreTime');
}

/** @param {boolean} on */
function setLowReach(on) {
  kiosk.classList.toggle('low-reach', on);
  document.body.classList.toggle('low-reach', on);
  reachButton.setAttribute('aria-pressed', String(on));
}

function touch() {
  lastActivity = Date.now();
  timeoutBar.hidden = true;
}

/** Idle screens go back to the start so the next person never sees someone else's code. */
function tick() {
  byId('clock').textContent = formatTime(Date.now());
  const idleMs = typeof current?.idleMs === 'function' ? current.idleMs() : current?.idleMs;
  if (!idleMs) {
    timeoutBar.hidden = true;
    return;
  }
  // A screen with a minimum time (the pickup code) is not left before that, whatever the taps.
  const minMs = current?.minShowMs ?? 0;
  const end = Math.max(lastActivity + idleMs, shownAt + minMs);
  const left = Math.ceil((end - Date.now()) / 1000);
  if (left <= 0) {
    app.home();
  } else if (left <= WARN_SEC) {
    timeoutBar.hidden = false;
    timeoutText.textContent = t('idle.returning', { seconds: left });
  }
}

for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, touch, { capture: true });
byId('timeout-more').addEventListener('click', touch);
langButton.addEventListener('click', () => {
  setLocale(currentLocale() === 'zh-CN' ? 'en' : 'zh-CN');
  app.rerender();
});
reachButton.addEventListener('click', () => setLowReach(!kiosk.classList.contains('low-reach')));

/** @param {EventTarget | null} target */
const typing = (target) =>
  target instanceof HTMLElement &&
  (target.closest('.sim') || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

// A physical keyboard or a QR scanner (which types like one) goes to the current screen.
document.addEventListener('keydown', (event) => {
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (current?.onKey?.(event)) event.preventDefault();
});
document.addEventListener('paste', (event) => {
  if (typing(event.target)) return;
  const text = event.clipboardData?.getData('text') ?? '';
  if (current?.onPaste?.(text.trim())) event.preventDefault();
});
// No long-press menus or accidental zoom on a touch screen.
document.addEventListener('contextmenu', (event) => event.preventDefault());

/** Start: words first, then the cabinet, then a session that was running before a reload or restart. */
async function boot() {
  await loadMessages();
  await app.refreshCabinet();
  setLocale(app.cabinet?.locale ?? 'zh-CN');
  app.home();
  try {
    const { session } = await api.currentSession();
    if (session) app.show('session', { id: session.id, session });
  } catch {
    // Nothing to resume, or the daemon is not up yet: the start screen stays.
  }
  setInterval(tick, 1000);
  setInterval(() => app.refreshCabinet(), CABINET_REFRESH_MS);
  tick();
  initSimulator(byId('simulator-root'), app);
}

boot();
