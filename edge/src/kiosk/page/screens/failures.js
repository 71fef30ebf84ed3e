/**
 * What the entry screens do with an API error: a lockout or a wait gets its own screen, a session still running
 * for this parcel is picked up again, anything else is shown on the entry screen.
 */
export function handleStartError(app, err, banner) {
  if (err.code === 'CODE_LOCKED_OUT') {
    app.show('message', { error: err, title: 'Code entry is paused' });
    return true;
  }
  if (err.code === 'CODE_ENTRY_SLOWED') {
    app.show('message', { error: err, title: 'Please wait a moment' });
    return true;
  }
  if (err.code === 'SESSION_ACTIVE' && typeof err.details?.sessionId === 'string') {
    app.show('session', { id: err.details.sessionId });
    return true;
  }
  banner.show(err);
  return false;
}
