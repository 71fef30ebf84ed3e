import { ApiError } from '../api.js';

/**
 * What the entry screens do with an API error: a lockout or a wait gets its own screen, a session still
 * running for this parcel is picked up again, anything else is shown on the entry screen.
 * @param {import('../types').App} app
 * @param {unknown} err
 * @param {{ show(err: import('../words.js').ErrorLike): void }} banner
 */
export function handleStartError(app, err, banner) {
  const e = err instanceof ApiError ? err : new ApiError(0, 'INTERNAL', String(err));
  if (e.code === 'CODE_LOCKED_OUT' || e.code === 'CODE_ENTRY_SLOWED') {
    app.show('message', { error: e });
    return true;
  }
  if (e.code === 'SESSION_ACTIVE' && typeof e.details?.sessionId === 'string') {
    app.show('session', { id: e.details.sessionId });
    return true;
  }
  banner.show(e);
  return false;
}
