/** A few line icons (inline SVG: the cabinet has no internet and no icon font). */
const PATHS = {
  parcel: 'M3 7l9-4 9 4v10l-9 4-9-4V7zm0 0l9 4 9-4M12 11v10M7.5 5l9 4',
  truck: 'M2 6h11v9H2zM13 9h4l3 3v3h-7zM6 18a2 2 0 1 0 0-.01M17 18a2 2 0 1 0 0-.01',
  key: 'M21 2l-2 2m-7.6 7.6a5.5 5.5 0 1 1-7.8 7.8 5.5 5.5 0 0 1 7.8-7.8zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4',
  warning: 'M12 3l10 18H2L12 3zm0 6v5m0 3v.01',
  lock: 'M6 11h12v10H6zM8.5 11V7.5a3.5 3.5 0 0 1 7 0V11M12 15v2',
  check: 'M20 6L9 17l-5-5',
  door: 'M5 3h14v18H5zM15 12h.01',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 4v5l3 3',
  back: 'M15 5l-7 7 7 7',
  offline: 'M2 8.5a15 15 0 0 1 20 0M5 12a10 10 0 0 1 14 0M8.5 15.5a5 5 0 0 1 7 0M12 19h.01M3 3l18 18',
  tool: 'M14.5 6.5a4 4 0 0 0-5.6 4.9L3 17.3 6.7 21l5.9-5.9a4 4 0 0 0 4.9-5.6l-2.4 2.4-2.8-.7-.7-2.8z',
};

export function icon(name, cls = '') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon ${cls}`.trim());
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', PATHS[name] ?? PATHS.parcel);
  svg.append(path);
  return svg;
}

/** Which icon and colour an API error code gets (the message itself is always the API's). */
export function errorLook(code) {
  switch (code) {
    case 'CODE_LOCKED_OUT':
      return { icon: 'lock', tone: 'danger' };
    case 'CODE_ENTRY_SLOWED':
    case 'CODE_EXPIRED':
    case 'CREDENTIAL_EXPIRED':
      return { icon: 'clock', tone: 'warn' };
    case 'NO_BOX_AVAILABLE':
    case 'BOX_NOT_AVAILABLE':
    case 'OPEN_NOT_DETECTED':
    case 'BOX_NOT_FOUND':
      return { icon: 'door', tone: 'warn' };
    case 'NETWORK':
    case 'BOARD_UNREACHABLE':
    case 'INTERNAL':
      return { icon: 'tool', tone: 'danger' };
    default:
      return { icon: 'warning', tone: 'danger' };
  }
}
