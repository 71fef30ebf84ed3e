import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { helpLine } from './common.js';

/**
 * The whole cabinet is out of service: say so, and whom to call, instead of offering flows that fail.
 * The page leaves this screen by itself when the cabinet is back in service.
 * @param {import('../types').App} app
 * @returns {import('../types').Screen}
 */
export function maintenanceScreen(app) {
  const el = h(
    'section',
    { class: 'panel message message-warn', 'data-testid': 'maintenance' },
    h('div', { class: 'message-icon' }, icon('tool')),
    h('h1', {}, t('maintenance.title')),
    h('p', { class: 'message-text', role: 'status' }, t('maintenance.text')),
    helpLine(app),
  );
  return { el };
}
