#!/usr/bin/env node
// An example third-party authorizer (第三方授权商) for the locker cloud: the patent's method 2.
// The cloud POSTs a signed authorization request; this service picks the courier on duty from a
// roster file and answers at once (mode "now") or later by a signed callback (mode "callback").
// It also records the cloud's confirmations. Only node:http and node:crypto: read it whole.
// The wire contract is docs/authorizers.md.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const settings = readSettings(process.argv.slice(2), process.env);
const seenSignatures = new Map(); // signature -> expiry (ms), the replay window
const answers = new Map(); // requestId -> the answer we gave (an Idempotency-Key repeat gets it again)
const requests = []; // every authorization request received (GET /requests)
const confirmations = []; // every confirmation received (GET /confirmations)

function readSettings(argv, env) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    flags[m[1]] = m[2] ?? argv[++i];
  }
  const s = {
    host: flags.host ?? env.AUTHORIZER_HOST ?? '127.0.0.1',
    port: Number(flags.port ?? env.AUTHORIZER_PORT ?? 8787),
    cloud: (flags.cloud ?? env.LOCKER_CLOUD_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    // Prefer the environment for the secret: flags are visible to everyone in `ps`.
    secret: flags.secret ?? env.AUTHORIZER_SECRET,
    authorizerNo: flags.authorizer ?? env.AUTHORIZER_NO ?? '0001',
    roster: flags.roster ?? env.AUTHORIZER_ROSTER ?? new URL('roster.json', import.meta.url).pathname,
    mode: flags.mode ?? env.AUTHORIZER_MODE ?? 'now',
    delayMs: Number(flags['delay-ms'] ?? env.AUTHORIZER_DELAY_MS ?? 2000),
    windowSeconds: Number(flags.window ?? env.AUTHORIZER_WINDOW_SECONDS ?? 300),
    confirmationsFile: flags.confirmations ?? env.AUTHORIZER_CONFIRMATIONS_FILE,
  };
  if (!s.secret) throw new Error('set the shared secret: AUTHORIZER_SECRET (or --secret)');
  if (!['now', 'callback'].includes(s.mode)) throw new Error('--mode must be "now" or "callback"');
  if (!/^\d{4}$/.test(s.authorizerNo)) throw new Error('--authorizer must be 4 digits, e.g. 0001');
  return s;
}

function log(msg, fields = {}) {
  // One JSON line per event; never the secret, never a signature.
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }));
}

// --- signatures (docs/authorizers.md, "Signature recipe") ---------------------------------------

function sign(timestamp, body) {
  return `v1=${createHmac('sha256', settings.secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function signedHeaders(body) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { 'x-locker-timestamp': timestamp, 'x-locker-signature': sign(timestamp, body) };
}

/** Checks the cloud's timestamp window, its signature and a replay; answers a reason or null. */
function refuse(headers, body) {
  const timestamp = headers['x-locker-timestamp'];
  const given = headers['x-locker-signature'];
  if (!/^\d+$/.test(timestamp ?? '')) return 'no timestamp';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > settings.windowSeconds) return 'stale timestamp';
  const expected = Buffer.from(sign(timestamp, body));
  const got = Buffer.from(String(given ?? ''));
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return 'bad signature';
  const now = Date.now();
  for (const [sig, until] of seenSignatures) if (until < now) seenSignatures.delete(sig);
  if (seenSignatures.has(given)) return 'replayed';
  seenSignatures.set(given, now + 2 * settings.windowSeconds * 1000);
  return null;
}

// --- the roster: who is on duty ------------------------------------------------------------------

/**
 * roster.json: {"couriers": [{"name", "userNo", "onDuty": true} or {"name", "userNo", "hours":
 * "08:00-20:00"}]}; hours are in this machine's local time. Read on every request, so a dispatcher
 * can edit it while the service runs.
 */
function courierOnDuty(now = new Date()) {
  const { couriers } = JSON.parse(readFileSync(settings.roster, 'utf8'));
  const minutes = now.getHours() * 60 + now.getMinutes();
  const toMinutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return couriers.find((c) => {
    if (typeof c.onDuty === 'boolean') return c.onDuty;
    const [from, to] = String(c.hours ?? '').split('-');
    if (!from || !to) return false;
    const a = toMinutes(from);
    const b = toMinutes(to);
    return a <= b ? minutes >= a && minutes < b : minutes >= a || minutes < b;
  });
}

// --- answering -----------------------------------------------------------------------------------

function answerFor(req, courier) {
  return {
    requestId: req.requestId,
    siteNo: req.siteNo,
    boxNo: req.boxNo,
    grantee: courier.userNo,
    authorizerNo: settings.authorizerNo,
  };
}

/** Mode "callback": POST the answer to the cloud later; retried while the cloud is unreachable. */
async function callBack(answer, tries = 40) {
  const body = JSON.stringify(answer);
  for (let i = 1; i <= tries; i++) {
    try {
      const res = await fetch(`${settings.cloud}/v1/authorizers/callback`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-locker-authorizer': settings.authorizerNo,
          ...signedHeaders(body), // signed anew for every try: a signature is used only once
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      log('callback answered', { requestId: answer.requestId, status: res.status, body: text.slice(0, 300) });
      // A coded refusal (4xx) is final; a 5xx or a network failure is tried again.
      if (res.status < 500) return;
    } catch (err) {
      log('callback failed', { requestId: answer.requestId, try: i, error: String(err?.message ?? err) });
    }
    await new Promise((r) => setTimeout(r, Math.min(500 * i, 5000)));
  }
}

function onRequest(req, headers) {
  requests.push({ ...req, idempotencyKey: headers['idempotency-key'] ?? null, at: new Date().toISOString() });
  const again = answers.get(req.requestId);
  if (again) return again; // a retry of a request we already answered: the same answer
  const courier = courierOnDuty();
  if (!courier) {
    log('no courier on duty', { requestId: req.requestId });
    return { status: 503, body: { error: 'no courier on duty' } }; // the cloud retries later
  }
  log('courier picked', { requestId: req.requestId, courier: courier.name, userNo: courier.userNo });
  const answer = answerFor(req, courier);
  let reply;
  if (settings.mode === 'now') {
    reply = { status: 200, body: answer, signed: true };
  } else {
    reply = { status: 202, body: { accepted: true, requestId: req.requestId } };
    setTimeout(() => void callBack(answer), settings.delayMs);
  }
  answers.set(req.requestId, reply);
  return reply;
}

function onConfirmation(c, headers) {
  const key = headers['idempotency-key'] ?? c.requestId;
  if (!confirmations.some((x) => x.idempotencyKey === key)) {
    const entry = { ...c, idempotencyKey: key, at: new Date().toISOString() };
    confirmations.push(entry);
    if (settings.confirmationsFile) appendFileSync(settings.confirmationsFile, `${JSON.stringify(entry)}\n`);
    log('confirmation received', { requestId: c.requestId, grantee: c.grantee, grantId: c.grantId });
  }
  return { status: 200, body: { ok: true } };
}

function send(res, status, value, signed = false) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', ...(signed ? signedHeaders(body) : {}) });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/requests') return send(res, 200, { requests });
  if (req.method === 'GET' && req.url === '/confirmations') return send(res, 200, { confirmations });
  if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true });
  if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 64 * 1024) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const why = refuse(req.headers, body);
    if (why) {
      log('request refused', { reason: why });
      return send(res, 401, { error: why });
    }
    let message;
    try {
      message = JSON.parse(body);
    } catch {
      return send(res, 400, { error: 'not JSON' });
    }
    const reply =
      message.type === 'authorization_request'
        ? onRequest(message, req.headers)
        : message.type === 'confirmation'
          ? onConfirmation(message, req.headers)
          : { status: 400, body: { error: `unknown type ${message.type}` } };
    send(res, reply.status, reply.body, reply.signed);
  });
});

server.listen(settings.port, settings.host, () => {
  const { port } = server.address();
  log('authorizer listening', {
    url: `http://${settings.host}:${port}/`,
    port,
    authorizerNo: settings.authorizerNo,
    mode: settings.mode,
  });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // the cloud keeps connections alive; do not wait for them
  });
}
