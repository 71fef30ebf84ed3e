import { api } from './api.js';
import { courierScreen } from './screens/courier.js';
import { doneScreen } from './screens/done.js';
import { grantScreen } from './screens/grant.js';
import { messageScreen } from './screens/message.js';
import { pickupScreen } from './screens/pickup.js';
import { sessionScreen } from './screens/session.js';
import { startScreen } from './screens/start.js';
import { initSimulator } from './simulator.js';

const SCREENS = {
  start: startScreen,
  pickup: pickupScreen,
  courier: courierScreen,
  grant: grantScreen,
  session: sessionScreen,
  done: doneScreen,
  message: messageScreen,
};

/** Seconds of the idle countdown shown before the page goes back to the start screen. */
const WARN_SEC = 10;
const CABINET_REFRESH_MS = 5000;

const root = document.getElementById('screen');
const offlineBadge = document.getElementById('offline-badge');
const cabinetLabel = document.getElementById('cabinet-id');
const timeoutBar = document.getElementById('timeout-bar');
const timeoutText = document.getElementById('timeout-text');

let current = null;
let lastActivity = Date.now();

/**
 * The page's one piece of state. Secrets (codes, PINs) live only here, in memory, for as long as the
 * person is at the screen; going back to the start screen forgets them. Nothing goes to storage or URLs.
 */
const app = {
  cabinet: null,
  /** A courier's credential, kept so they can deposit several parcels in a row. */
  courier: null,
  /** The box of the running session, for the simulator drawer to highlight. */
  activeBox: null,

  show(name, params = {}) {
    current?.leave?.();
    const screen = SCREENS[name](app, params);
    current = { name, ...screen };
    root.replaceChildren(screen.el);
    root.dataset.screen = name;
    document.body.dataset.screen = name;
    touch();
    const heading = screen.el.querySelector('h1');
    (heading ?? root).setAttribute('tabindex', '-1');
    (heading ?? root).focus({ preventScroll: true });
  },

  /** Back to the start screen: forget everything about the last person. */
  home() {
    app.courier = null;
    app.activeBox = null;
    app.show('start');
    app.refreshCabinet();
  },

  async refreshCabinet() {
    try {
      app.cabinet = await api.cabinet();
    } catch {
      // Keep the last known picture; the daemon may be restarting.
    }
    renderHeader();
    current?.cabinetChanged?.(app.cabinet);
    return app.cabinet;
  },
};

function renderHeader() {
  const c = app.cabinet;
  cabinetLabel.textContent = c ? `Cabinet ${c.cabinetId}` : '';
  offlineBadge.hidden = !c || c.online;
}

function touch() {
  lastActivity = Date.now();
  timeoutBar.hidden = true;
}

/** Idle screens go back to the start so the next person never sees someone else's code. */
function tick() {
  const clock = document.getElementById('clock');
  clock.textContent = new Date().toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const idleMs = typeof current?.idleMs === 'function' ? current.idleMs() : current?.idleMs;
  if (!idleMs) {
    timeoutBar.hidden = true;
    return;
  }
  const left = Math.ceil((lastActivity + idleMs - Date.now()) / 1000);
  if (left <= 0) {
    app.home();
  } else if (left <= WARN_SEC) {
    timeoutBar.hidden = false;
    timeoutText.textContent = `Returning to the start screen in ${left} s`;
  }
}

for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, touch, { capture: true });
document.getElementById('timeout-more').addEventListener('click', touch);

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

setInterval(tick, 1000);
setInterval(() => app.refreshCabinet(), CABINET_REFRESH_MS);
tick();
app.home();
initSimulator(document.getElementById('simulator-root'), app);
