/**
 * The cabinet daemon's kiosk API (docs/kiosk-api.md). Every failure becomes an ApiError carrying the
 * API's own `code` and `message`; the message is written for the person at the screen and shown as is.
 */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const NO_ANSWER = 'The cabinet is not answering. Please wait a moment and try again.';

async function call(method, path, body, { timeoutMs = 10_000 } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      signal: ctrl.signal,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', NO_ANSWER);
  } finally {
    clearTimeout(timer);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = json?.error;
    if (err && typeof err.message === 'string')
      throw new ApiError(res.status, err.code, err.message, err.details);
    throw new ApiError(res.status, 'INTERNAL', NO_ANSWER);
  }
  return json;
}

export const api = {
  cabinet: () => call('GET', '/api/cabinet', undefined, { timeoutMs: 5000 }),
  pickup: (credential) => call('POST', '/api/pickups', credential),
  deposit: (courierId, pin, size) => call('POST', '/api/deposits', { courierId, pin, size }),
  recollectCount: (courierId, pin) => call('POST', '/api/recollections/count', { courierId, pin }),
  recollect: (courierId, pin) => call('POST', '/api/recollections', { courierId, pin }),
  useGrant: (userNo, code, boxNo) =>
    call('POST', '/api/grants/use', boxNo ? { userNo, code, boxNo } : { userNo, code }),
  session: (id) => call('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, { timeoutMs: 5000 }),
  problem: (id, problem) => call('POST', `/api/sessions/${encodeURIComponent(id)}/problem`, { problem }),
  cancel: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/cancel`, {}),
};

/** The simulated hardware (only present when the daemon runs on the in-process board simulator). */
export const simulatorApi = {
  boxes: () => call('GET', '/api/simulator/boxes', undefined, { timeoutMs: 3000 }),
  door: (boxNo, state) => call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/door`, { state }),
  occupancy: (boxNo, occupied) =>
    call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/occupancy`, { occupied }),
  jam: (boxNo, jammed) => call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/jam`, { jammed }),
};
