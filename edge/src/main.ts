#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isLockerError } from '@locker/protocol';
import { loadEdgeConfig } from './config.js';
import { EdgeDaemon } from './daemon.js';

/** sysexits EX_CONFIG: systemd's RestartPreventExitStatus=78 stops a restart loop on a bad config. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
  const path = values.config ?? process.env.LOCKER_EDGE_CONFIG;
  if (!path) {
    console.error('usage: locker-edge --config FILE (or LOCKER_EDGE_CONFIG)');
    process.exit(2);
  }
  let daemon: EdgeDaemon;
  try {
    daemon = new EdgeDaemon(loadEdgeConfig(path));
  } catch (err) {
    console.error(`locker-edge: ${isLockerError(err) ? `${err.code}: ${err.message}` : String(err)}`);
    process.exit(isLockerError(err) && err.code === 'CONFIG_INVALID' ? EXIT_CONFIG : 1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    daemon.logger.info({ signal }, 'stopping');
    void daemon.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await daemon.start();
  } catch (err) {
    daemon.logger.fatal({ err }, 'cabinet daemon failed to start');
    await daemon.stop();
    process.exit(1);
  }
}

void main();
