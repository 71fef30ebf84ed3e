import { LockerError } from '@locker/protocol';
import { type Db, nowIso } from '../db/database.js';
import { hashSecret, randomSecret, safeEqual, verifySecret } from '../security/secret-hash.js';
import { mosquittoHash } from './mosquitto-hash.js';
import type { BrokerPrincipal } from './topic-acl.js';

export interface ServiceCredentials {
  username: string;
  password: string;
}

/**
 * Broker accounts: the cloud's own service account comes from config; cabinets and operators live in
 * the database with scrypt-hashed passwords. Plain passwords exist only in the moment they are issued.
 */
export class BrokerAccounts {
  private readonly changeListeners = new Set<() => Promise<void>>();
  private readonly sessionListeners = new Set<(username: string) => void>();

  constructor(
    private readonly db: Db,
    private readonly service: ServiceCredentials,
    /** A cabinet's box numbers, the only box topics it may publish. */
    private readonly boxLayout: (cabinetId: string) => Promise<string[]>,
  ) {}

  /** Tells the listeners (the Mosquitto files) that something they write out changed. */
  async refresh(): Promise<void> {
    await this.changed();
  }

  /** Ends the live broker sessions of an account whose rights changed (the embedded broker listens). */
  endSessions(username: string): void {
    for (const l of this.sessionListeners) l(username);
  }

  onEndSessions(listener: (username: string) => void): void {
    this.sessionListeners.add(listener);
  }

  /** Called after every account change (the Mosquitto files follow the accounts). */
  onChange(listener: () => Promise<void>): void {
    this.changeListeners.add(listener);
  }

  private async changed(): Promise<void> {
    for (const l of this.changeListeners) await l();
  }

  async authenticate(username: string, password: string): Promise<BrokerPrincipal | null> {
    if (username === this.service.username) {
      return safeEqual(password, this.service.password) ? { role: 'service', username } : null;
    }
    const row = await this.db
      .selectFrom('mqtt_accounts')
      .selectAll()
      .where('username', '=', username)
      .where('disabled', '=', 0)
      .executeTakeFirst();
    if (!row || !(await verifySecret(password, row.password_hash))) return null;
    if (row.role === 'cabinet') {
      if (!row.cabinet_id) return null;
      const boxes = new Set(await this.boxLayout(row.cabinet_id));
      return { role: 'cabinet', username, cabinetId: row.cabinet_id, boxes };
    }
    return { role: row.role, username };
  }

  /** Creates (or rotates) an account and returns its new password, the only time it is visible. */
  async issue(
    username: string,
    role: 'cabinet' | 'operator' | 'viewer' | 'admin',
    cabinetId: string | null,
  ): Promise<string> {
    if (username === this.service.username) {
      throw new LockerError('CONFLICT', `${username} is the cloud's own broker account`);
    }
    const existing = await this.db
      .selectFrom('mqtt_accounts')
      .select(['role', 'cabinet_id'])
      .where('username', '=', username)
      .executeTakeFirst();
    const operatorRoles = ['viewer', 'operator', 'admin'];
    const sameKind =
      existing?.role === role ||
      (operatorRoles.includes(existing?.role ?? '') && operatorRoles.includes(role));
    if (existing && (!sameKind || existing.cabinet_id !== cabinetId)) {
      // A rotation keeps the kind; turning a cabinet into an operator (or back) would be an escalation.
      // An operator's role may change (viewer -> operator): that is the operator accounts' decision.
      throw new LockerError('CONFLICT', `broker account ${username} already exists as ${existing.role}`);
    }
    const password = randomSecret();
    const password_hash = await hashSecret(password);
    const mosquitto_hash = await mosquittoHash(password);
    await this.db
      .insertInto('mqtt_accounts')
      .values({
        username,
        password_hash,
        mosquitto_hash,
        role,
        cabinet_id: cabinetId,
        created_at: nowIso(),
        disabled: 0,
      })
      .onConflict((oc) =>
        oc.column('username').doUpdateSet({ password_hash, mosquitto_hash, role, disabled: 0 }),
      )
      .execute();
    await this.changed();
    return password;
  }

  async disable(username: string): Promise<void> {
    await this.db
      .updateTable('mqtt_accounts')
      .set({ disabled: 1 })
      .where('username', '=', username)
      .execute();
    await this.changed();
  }
}
