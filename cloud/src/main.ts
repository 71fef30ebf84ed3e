#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isLockerError, newCodeKeyPair } from '@locker/protocol';
import pino from 'pino';
import { runUserCommand, VERIFICATION_USAGE } from './accounts/verification-cli.js';
import { defaultBoxNumbers } from './broker/broker-limits.js';
import { loadCloudConfig } from './config.js';
import { migrateToLatest } from './db/database.js';
import { createLogger } from './logger.js';
import { CodeOpener } from './notifications/code-opener.js';
import { OperatorRole } from './operators/roles.js';
import { CloudServer } from './server.js';

const USAGE = `usage: locker-cloud [--config FILE] [command]
  serve                         run the cloud service (default)
  cabinet add ID [NAME] [--boxes N]
                                register a cabinet (boxes 01..N) and print its broker credentials
  operator add NAME ROLE        create an operator account, ROLE admin, operator or viewer, and print
                                its password, bearer token and broker credentials (shown once)
  code-key new                  print a new X25519 key pair for sealed pickup codes (ADR 0013):
                                privateKey goes to secrets.codeKey, publicKey to each cabinet's cloudCodeKey
  code-key show                 print the public key of the configured (or derived) code key
${VERIFICATION_USAGE}
config: --config FILE or LOCKER_CLOUD_CONFIG; secrets may come from LOCKER_CLOUD_ADMIN_TOKEN,
LOCKER_CLOUD_BROKER_PASSWORD and LOCKER_CLOUD_DATABASE_URL.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      config: { type: 'string' },
      boxes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === 'code-key' && positionals[1] === 'new') {
    console.log(JSON.stringify(newCodeKeyPair(), null, 2));
    return 0;
  }
  const config = loadCloudConfig(values.config ?? process.env.LOCKER_CLOUD_CONFIG);
  const [command = 'serve', sub, ...args] = positionals;
  if (command === 'code-key' && sub === 'show') {
    const opener = CodeOpener.fromConfig(config.secrets.codeKey, config.adminToken);
    console.log(JSON.stringify({ publicKey: opener.publicKey }, null, 2));
    return 0;
  }

  if (command === 'serve') {
    const server = new CloudServer(config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.logger.info({ signal }, 'stopping');
      void server.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    await server.start();
    return -1; // keep running
  }

  // Admin commands print JSON on stdout; their logs go to stderr.
  const server = new CloudServer(
    { ...config, broker: { ...config.broker, embedded: { ...config.broker.embedded, enabled: false } } },
    createLogger('warn', pino.destination(2)),
  );
  await migrateToLatest(server.db);
  try {
    if (command === 'cabinet' && sub === 'add' && args[0]) {
      const count = values.boxes === undefined ? undefined : Number(values.boxes);
      if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= 999)) {
        console.error('--boxes: a whole number from 1 to 999');
        return 2;
      }
      const layout = count === undefined ? undefined : defaultBoxNumbers(count);
      const cabinet = await server.cabinets.create(args[0], args[1] ?? args[0], layout);
      const password = await server.brokerAccounts.issue(cabinet.id, 'cabinet', cabinet.id);
      console.log(
        JSON.stringify(
          {
            cabinetId: cabinet.id,
            broker: { username: cabinet.id, password },
            accessKeys: server.accessKeys.provisioning(cabinet.id),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    if (command === 'operator' && sub === 'add' && args[0] && OperatorRole.safeParse(args[1]).success) {
      // The CLI is how the first named admin is made; it is audited like the API.
      const role = OperatorRole.parse(args[1]);
      const created = await server.operators.create(args[0], role, 'cli');
      await server.audit.record({
        actor: 'cli',
        channel: 'cli',
        action: 'operator add',
        result: 'ok',
        detail: { username: args[0], role },
      });
      console.log(JSON.stringify(created, null, 2));
      return 0;
    }
    if (command === 'user') {
      const code = await runUserCommand(server.accounts, sub, args);
      if (code === 0) return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await server.db.destroy();
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (isLockerError(err)) console.error(`locker-cloud: ${err.code}: ${err.message}`);
    else console.error('locker-cloud: failed to start:', err);
    process.exit(1);
  },
);
