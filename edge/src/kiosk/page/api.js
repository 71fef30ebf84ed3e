/**
 * The cabinet daemon's kiosk API (docs/kiosk-api.md). Every failure becomes an ApiError carrying the
 * API's `code` and `details`; the page words them from its message files, and `message` (English) is
 * the fallback for a code the files do not know.
 *
 * @typedef {import('./types').KioskCabinet} KioskCabinet
 * @typedef {import('./types').KioskSession} KioskSession
 * @typedef {import('./types').KioskErrorBody} KioskErrorBody
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {KioskErrorBody['details']} [details]
   */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

const NO_ANSWER = 'The cabinet is not answering. Please wait a moment and try again.';

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<T>}
 */
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
    /** @type {KioskErrorBody | undefined} */
    const err = json?.error;
    if (err && typeof err.message === 'string')
      throw new ApiError(res.status, err.code, err.message, err.details);
    throw new ApiError(res.status, 'INTERNAL', NO_ANSWER);
  }
  return json;
}

/** @typedef {{ phone: string } | { waybill: string }} Recipient */

export const api = {
  /** @returns {Promise<KioskCabinet>} */
  cabinet: () => call('GET', '/api/cabinet', undefined, { timeoutMs: 5000 }),
  /** @param {{ code: string } | { token: string }} credential @returns {Promise<KioskSession>} */
  pickup: (credential) => call('POST', '/api/pickups', credential),
  /**
   * @param {string} courierId @param {string} pin @param {string} size @param {Recipient | null} recipient
   * @returns {Promise<KioskSession>}
   */
  deposit: (courierId, pin, size, recipient) =>
    call('POST', '/api/deposits', {
      courierId,
      pin,
      size,
      ...(recipient && 'phone' in recipient ? { recipientTel: recipient.phone } : {}),
      ...(recipient && 'waybill' in recipient ? { waybill: recipient.waybill } : {}),
    }),
  /** @param {string} courierId @param {string} pin @returns {Promise<{ count: number }>} */
  recollectCount: (courierId, pin) => call('POST', '/api/recollections/count', { courierId, pin }),
  /** @param {string} courierId @param {string} pin @returns {Promise<KioskSession>} */
  recollect: (courierId, pin) => call('POST', '/api/recollections', { courierId, pin }),
  /** @param {string} userNo @param {string} code @param {string} [boxNo] @returns {Promise<KioskSession>} */
  useGrant: (userNo, code, boxNo) =>
    call('POST', '/api/grants/use', boxNo ? { userNo, code, boxNo } : { userNo, code }),
  /** A signed grant token from the scanner (ADR 0017). @param {string} token @returns {Promise<KioskSession>} */
  useGrantToken: (token) => call('POST', '/api/grants/token', { token }),
  /** @returns {Promise<{ session: KioskSession | null }>} */
  currentSession: () => call('GET', '/api/sessions/current', undefined, { timeoutMs: 5000 }),
  /** @param {string} id @returns {Promise<KioskSession>} */
  session: (id) => call('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, { timeoutMs: 5000 }),
  /** @param {string} id @param {string} problem @returns {Promise<KioskSession>} */
  problem: (id, problem) => call('POST', `/api/sessions/${encodeURIComponent(id)}/problem`, { problem }),
  /** @param {string} id @returns {Promise<KioskSession>} */
  confirmInside: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/confirm`, {}),
  /** The courier's word that the parcel is in (boards with no occupancy sensor). @param {string} id @returns {Promise<KioskSession>} */
  parcelInside: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/parcel-inside`, {}),
  /** @param {string} id @returns {Promise<KioskSession>} */
  cancel: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/cancel`, {}),
};

/** The simulated hardware (only present when the daemon runs on the in-process board simulator). */
export const simulatorApi = {
  /** @returns {Promise<any>} */
  boxes: () => call('GET', '/api/simulator/boxes', undefined, { timeoutMs: 3000 }),
  /** @param {string} boxNo @param {string} state */
  door: (boxNo, state) => call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/door`, { state }),
  /** @param {string} boxNo @param {boolean} occupied */
  occupancy: (boxNo, occupied) =>
    call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/occupancy`, { occupied }),
  /** @param {string} boxNo @param {boolean} jammed */
  jam: (boxNo, jammed) => call('POST', `/api/simulator/boxes/${encodeURIComponent(boxNo)}/jam`, { jammed }),
};
