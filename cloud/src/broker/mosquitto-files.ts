import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { mosquittoHash } from './mosquitto-hash.js';

export interface MosquittoFilesOptions {
  passwordFile: string;
  aclFile: string;
  /** Mosquitto's pid file: it is sent SIGHUP to re-read both files after every change. */
  pidFile?: string | undefined;
  serviceUsername: string;
  servicePassword: string;
  db: Db;
  /** A cabinet's box numbers: its ACL lists exactly these box topics. */
  boxLayout: (cabinetId: string) => Promise<string[]>;
  logger: Logger;
}

/**
 * Keeps an external Mosquitto's password and ACL files in step with the broker accounts, so the
 * same credentials and topic rules hold there as on the embedded broker (ADR 0004). The cabinet
 * rules are patterns on the username (= cabinet id); operators and viewers get explicit entries.
 */
export class MosquittoFiles {
  private serviceHash: string | undefined;

  constructor(private readonly opts: MosquittoFilesOptions) {}

  async write(): Promise<void> {
    const { db, serviceUsername } = this.opts;
    this.serviceHash ??= await mosquittoHash(this.opts.servicePassword);
    const accounts = await db
      .selectFrom('mqtt_accounts')
      .select(['username', 'role', 'mosquitto_hash', 'cabinet_id'])
      .where('disabled', '=', 0)
      .orderBy('username')
      .execute();

    const passwd = [`${serviceUsername}:${this.serviceHash}`];
    for (const a of accounts) if (a.mosquitto_hash) passwd.push(`${a.username}:${a.mosquitto_hash}`);

    const acl = [
      '# Written by locker-cloud from its broker accounts; edits are overwritten.',
      '# The same rules as the embedded broker (cloud/src/broker/topic-acl.ts).',
      '',
      `user ${serviceUsername}`,
      'topic readwrite #',
      '',
    ];
    for (const a of accounts) {
      if (a.role === 'operator' || a.role === 'admin')
        acl.push(`user ${a.username}`, 'topic read lockers/#', 'topic write lockers/+/request/+', '');
      if (a.role === 'viewer') acl.push(`user ${a.username}`, 'topic read lockers/#', '');
      if (a.role === 'cabinet' && a.cabinet_id) {
        // Retained box topics only for the cabinet's real boxes (a wildcard would let a stolen
        // password retain thousands of made-up boxes).
        acl.push(`user ${a.username}`);
        for (const boxNo of await this.opts.boxLayout(a.cabinet_id)) {
          acl.push(`topic write lockers/${a.cabinet_id}/boxes/${boxNo}`);
        }
        acl.push('');
      }
    }
    acl.push(
      '# Cabinets: the username is the cabinet id; each lives under its own root only.',
      'pattern write lockers/%u/status',
      'pattern write lockers/%u/events',
      'pattern write lockers/%u/response/+',
      'pattern write lockers/%u/desired/get',
      'pattern read lockers/%u/#',
      '',
    );
    atomicWrite(this.opts.passwordFile, `${passwd.join('\n')}\n`);
    atomicWrite(this.opts.aclFile, acl.join('\n'));
    this.reload();
  }

  private reload(): void {
    if (!this.opts.pidFile) return;
    try {
      const pid = Number(readFileSync(this.opts.pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGHUP');
    } catch (err) {
      this.opts.logger.warn({ reason: (err as Error).message }, 'could not signal mosquitto to reload');
    }
  }
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o640 });
  renameSync(tmp, path);
}
