#!/usr/bin/env node
// `npm start`: the whole system on embedded defaults, on this machine. The cloud (embedded MQTT
// broker + SQLite) and one demo cabinet with a simulated lock board run as two processes, as they
// would in the field; their logs go to .demo/*.log. Ctrl-C stops the cabinet first (it says
// `offline` on the broker), then the cloud.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const env = process.env;
// LOCKER_DEMO_DIR moves the demo's state (tests run it in a temporary folder).
const dir = env.LOCKER_DEMO_DIR ? resolve(env.LOCKER_DEMO_DIR) : join(root, '.demo');
const HTTP_PORT = Number(env.LOCKER_DEMO_HTTP_PORT ?? 3000);
const MQTT_PORT = Number(env.LOCKER_DEMO_MQTT_PORT ?? 1883);
const KIOSK_PORT = Number(env.LOCKER_DEMO_KIOSK_PORT ?? 8080);
const MQTT_WS_PORT = Number(env.LOCKER_DEMO_MQTT_WS_PORT ?? 9001);
const CABINET = '610091A01';

mkdirSync(dir, { recursive: true });
const secretsFile = join(dir, 'secrets.json');
const secrets = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : {
      adminToken: randomBytes(24).toString('base64url'),
      servicePassword: randomBytes(24).toString('base64url'),
    };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const cloudConfig = join(dir, 'cloud.json');
writeFileSync(
  cloudConfig,
  JSON.stringify(
    {
      http: { host: '127.0.0.1', port: HTTP_PORT },
      broker: {
        servicePassword: secrets.servicePassword,
        embedded: { host: '127.0.0.1', port: MQTT_PORT, wsPort: MQTT_WS_PORT },
      },
      database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
      adminToken: secrets.adminToken,
    },
    null,
    2,
  ),
  { mode: 0o600 },
);

/** Runs a built daemon, its JSON log to a file, resolving when a log line matches `ready`. */
function run(name, entry, args, ready) {
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [join(root, entry), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(log);
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  return new Promise((resolveReady, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec.level >= 50) console.error(`[${name}] ${rec.msg}${rec.err ? `: ${rec.err.message}` : ''}`);
      if (ready(rec)) resolveReady({ child, rec });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (code ${code}); see .demo/${name}.log`)));
  });
}

async function request(method, path, body, token) {
  const res = await fetch(`http://127.0.0.1:${HTTP_PORT}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, ok: res.ok, json: await res.json() };
}

/** The bootstrap admin (config adminToken) sets the demo up; people use the named account. */
async function admin(method, path, body) {
  const res = await request(method, path, body, secrets.adminToken);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const OPERATOR = 'demo-operator';
const operatorFile = join(dir, 'operator.json');

/**
 * The demo operator's account persists in .demo/operator.json (broker and login password) with the
 * rest of .demo/, so `npm run watch` keeps working across restarts; only a new bearer token is
 * made at each start, by logging in. A missing file or account (cloud.db removed) makes new ones.
 */
async function demoOperator() {
  const saved = existsSync(operatorFile) ? JSON.parse(readFileSync(operatorFile, 'utf8')) : undefined;
  if (saved?.username === OPERATOR && saved.loginPassword) {
    const login = await request('POST', '/v1/admin/sessions', {
      username: OPERATOR,
      password: saved.loginPassword,
    });
    if (login.ok) return { ...saved, token: login.json.token };
  }
  const { operators } = await admin('GET', '/v1/admin/operators');
  const creds = operators.some((o) => o.username === OPERATOR)
    ? await admin('POST', `/v1/admin/operators/${OPERATOR}/credentials`)
    : await admin('POST', '/v1/admin/operators', { username: OPERATOR, role: 'operator' });
  const account = {
    url: `mqtt://127.0.0.1:${MQTT_PORT}`,
    username: creds.broker.username,
    password: creds.broker.password,
    loginPassword: creds.password,
  };
  writeFileSync(operatorFile, JSON.stringify(account, null, 2), { mode: 0o600 });
  return { ...account, token: creds.token };
}

const children = [];
let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping: cabinet first (it reports offline), then the cloud');
  for (const child of children.reverse()) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll());
process.on('SIGTERM', () => void stopAll());

try {
  const cloud = await run(
    'cloud',
    'cloud/dist/main.js',
    ['--config', cloudConfig],
    (r) => r.msg === 'cloud started',
  );
  children.push(cloud.child);

  // Register the demo cabinet (the patent's worked example) or rotate its broker password.
  const known = await admin('GET', '/v1/admin/cabinets');
  // Both answers carry the cabinet's access key, which checks grants' codes offline (ADR 0015).
  const cabinetCreds = known.cabinets.some((c) => c.id === CABINET)
    ? await admin('POST', `/v1/admin/cabinets/${CABINET}/credentials`)
    : await admin('POST', '/v1/admin/cabinets', { id: CABINET, name: 'Demo cabinet, gate A' }).then((r) => ({
        ...r.broker,
        accessKeys: r.accessKeys,
      }));
  const watcher = await demoOperator();
  // A courier for the touchscreen demo; the cabinet receives it as desired state and checks the PIN offline.
  await admin('PUT', `/v1/admin/cabinets/${CABINET}/couriers/C-1001`, { pin: '4711', name: 'Demo courier' });

  // The cabinet seals each pickup code to this key, so the cloud can text the recipient (ADR 0013).
  const codeKey = await admin('GET', '/v1/admin/code-key');

  const edgeConfig = join(dir, 'edge.json');
  writeFileSync(
    edgeConfig,
    JSON.stringify(
      {
        cabinetId: CABINET,
        dataDir: join(dir, 'edge-data'),
        cloudCodeKey: codeKey.publicKey,
        accessKeys: cabinetCreds.accessKeys,
        broker: {
          url: `mqtt://127.0.0.1:${MQTT_PORT}`,
          username: cabinetCreds.username,
          password: cabinetCreds.password,
        },
        // Occupancy sensors (Kerong): putting the parcel in, in the simulated drawer, is what completes a deposit.
        bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 12 }] },
        boxes: Array.from({ length: 12 }, (_, i) => ({
          boxNo: String(i + 1).padStart(2, '0'),
          board: 0,
          lock: i + 1,
          size: i < 4 ? 'small' : i < 9 ? 'medium' : 'large',
        })),
        // The cabinet's front: four columns of three boxes, the screen is beside them.
        layout: {
          columns: 4,
          rows: 3,
          cells: [
            ['01', '04', '07', '10'],
            ['02', '05', '08', '11'],
            ['03', '06', '09', '12'],
          ],
        },
        ...(env.LOCKER_DEMO_NO_KIOSK
          ? {}
          : {
              kiosk: {
                host: '127.0.0.1',
                port: KIOSK_PORT,
                hotline: '400-820-1234',
                timeZone: 'Asia/Shanghai',
              },
            }),
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  const edge = await run(
    'edge',
    'edge/dist/main.js',
    ['--config', edgeConfig],
    (r) => r.msg === 'cabinet daemon started',
  );
  children.push(edge.child);

  console.log(`
Locker platform demo is running.
  cloud API       http://127.0.0.1:${HTTP_PORT}     (OpenAPI: http://127.0.0.1:${HTTP_PORT}/openapi.json)
  MQTT broker     mqtt://127.0.0.1:${MQTT_PORT}     (embedded aedes; WebSocket ws://127.0.0.1:${MQTT_WS_PORT}/mqtt)
  touchscreen     http://127.0.0.1:${KIOSK_PORT}/   (cabinet ${CABINET}, simulated lock board)
  logs            .demo/cloud.log, .demo/edge.log

Try it at the touchscreen (http://127.0.0.1:${KIOSK_PORT}/):
  Courier deposit: courier C-1001, PIN 4711, pick a size, type the recipient's phone (e.g. 13455555555).
  The box opens; in the "Simulated hardware" drawer (top right) put a parcel in and close the door: the
  screen shows the pickup code. The cabinet sends it sealed to the cloud, which queues a text message to
  that phone (the demo has no SMS gateway: see docs/operations.md), or notifies the app of a user whose
  verified number it is.
  Pick up a parcel: enter that code; close the door in the drawer again when the parcel is out.
  Reserve a box and hand it on (the patent): register two users with phone numbers, reserve, authorize
  the other, and use "Use an authorized box" with the notified code or the QR token the grantee's app
  fetches (paste it on that screen): docs/rights.md, docs/grant-tokens.md, docs/authorizers.md.

Try it from the cloud, as operator ${OPERATOR} (its account is in .demo/operator.json; this token
expires, a new one is made at each start):
  # open box 01 of the demo cabinet
  curl -s -X POST -H 'authorization: Bearer ${watcher.token}' \\
       http://127.0.0.1:${HTTP_PORT}/v1/admin/cabinets/${CABINET}/boxes/01/open

  # watch the cabinet's topics (in another terminal)
  npm run watch
  # or with Mosquitto's client:
  mosquitto_sub -h 127.0.0.1 -p ${MQTT_PORT} -u ${watcher.username} -P '${watcher.password}' -t 'lockers/#' -v

  # the cabinet as the cloud sees it
  curl -s -H 'authorization: Bearer ${watcher.token}' http://127.0.0.1:${HTTP_PORT}/v1/admin/cabinets/${CABINET}

  # what operators did (who, what, which box, why, the result)
  curl -s -H 'authorization: Bearer ${watcher.token}' http://127.0.0.1:${HTTP_PORT}/v1/admin/audit

Ctrl-C stops everything (the cabinet's status becomes offline).`);
} catch (err) {
  console.error(`demo failed: ${err.message}`);
  await stopAll(1);
}
