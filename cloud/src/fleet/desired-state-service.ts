import {
  type CourierCredentialDoc,
  type DesiredState,
  DesiredState as DesiredStateSchema,
  type GrantKeyDoc,
  makeVerifier,
  type RevokedGrantDoc,
} from '@locker/protocol';
import type { Logger } from 'pino';
import { nowIso } from '../db/database.js';
import type { AfterCommit } from '../db/group-commit.js';
import type { CabinetRepository } from './cabinet-repository.js';
import type { BoxSettingRepository } from './desired/box-setting-repository.js';
import type { CourierCredentialRepository } from './desired/courier-credential-repository.js';
import type { DesiredVersionRepository, Tx } from './desired/desired-version-repository.js';
import type { GrantDelta, GrantSource } from './desired/grant-source.js';

export interface DesiredPublisher {
  publishDesired(cabinetId: string, doc: DesiredState): Promise<void>;
}

export interface CourierInput {
  courierId: string;
  pin: string;
  name?: string | undefined;
  company?: string | undefined;
  expiresAt?: string | undefined;
}

export interface DesiredSummary {
  version: number;
  couriers: Array<Omit<CourierCredentialDoc, 'pin'>>;
  boxes: Array<{ boxNo: string; outOfService: boolean }>;
}

/** Each part of a cabinet's desired state comes from its own repository (ADR 0003, ADR 0014). */
export interface DesiredSources {
  versions: DesiredVersionRepository;
  couriers: CourierCredentialRepository;
  boxSettings: BoxSettingRepository;
  /** Reservations and authorizations; read in order, composed into one list. */
  grants: GrantSource[];
  /** Keys and revocations of signed grant tokens (ADR 0017); absent, cabinets accept no tokens. */
  tokens?: {
    keys: { docs(now?: string): Promise<GrantKeyDoc[]> };
    revocations: { liveAt(cabinetId: string, now: string): Promise<RevokedGrantDoc[]> };
  };
}

/**
 * The cloud's side of desired state (ADR 0002): every change bumps the cabinet's version and is
 * pushed as a delta; a cabinet that asks with an older version gets a snapshot. Secrets leave the
 * cloud only as scrypt verifiers the cabinet can check offline. This service composes documents;
 * the SQL lives in the repositories.
 */
export class DesiredStateService {
  constructor(
    private readonly sources: DesiredSources,
    private readonly cabinets: CabinetRepository,
    private readonly publisher: DesiredPublisher,
    private readonly logger: Logger,
  ) {}

  async putCourier(cabinetId: string, input: CourierInput): Promise<number> {
    await this.cabinets.get(cabinetId);
    const doc: CourierCredentialDoc = {
      courierId: input.courierId,
      ...(input.name ? { name: input.name } : {}),
      ...(input.company ? { company: input.company } : {}),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      pin: await makeVerifier(input.pin),
    };
    const { version } = await this.sources.versions.change(cabinetId, (trx) =>
      this.sources.couriers.put(trx, cabinetId, doc),
    );
    await this.push(cabinetId, { kind: 'delta', version, baseVersion: version - 1, couriers: [doc] });
    return version;
  }

  async removeCourier(cabinetId: string, courierId: string): Promise<number> {
    await this.cabinets.get(cabinetId);
    const { version } = await this.sources.versions.change(cabinetId, (trx) =>
      this.sources.couriers.remove(trx, cabinetId, courierId),
    );
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      removeCouriers: [courierId],
    });
    return version;
  }

  async setOutOfService(cabinetId: string, boxNo: string, outOfService: boolean): Promise<number> {
    await this.cabinets.get(cabinetId);
    const { version } = await this.sources.versions.change(cabinetId, (trx) =>
      this.sources.boxSettings.put(trx, cabinetId, { boxNo, outOfService }),
    );
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      boxes: [{ boxNo, outOfService }],
    });
    return version;
  }

  /** The whole cabinet out of service or back; the flag lives on the cabinet row (0004). */
  async setCabinetOutOfService(cabinetId: string, outOfService: boolean): Promise<number> {
    await this.cabinets.get(cabinetId);
    const { version } = await this.sources.versions.change(cabinetId, (trx) =>
      this.cabinets.setOutOfService(cabinetId, outOfService, trx),
    );
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      cabinet: { outOfService },
    });
    return version;
  }

  /**
   * A change of rights (a reservation, an authorization, a revocation): `work` writes its own
   * tables in the unit of work that bumps the version and answers with the grants to send and to
   * remove. The delta goes out after the commit, off the request's path (the request does not wait
   * for the broker); a cabinet that misses it asks with its version and gets a snapshot.
   */
  async changeGrants<T>(
    cabinetId: string,
    work: (trx: Tx, commit: AfterCommit) => Promise<{ delta: GrantDelta; result: T }>,
  ): Promise<T> {
    const { version, result } = await this.sources.versions.change(cabinetId, work);
    void this.push(cabinetId, { kind: 'delta', version, baseVersion: version - 1, ...result.delta });
    return result.result;
  }

  /**
   * The grant-token keys changed (a rotation): every cabinet gets the new list as a delta. A
   * cabinet that misses it gets the list in its next snapshot.
   */
  async pushGrantKeys(): Promise<number> {
    const keys = this.sources.tokens?.keys;
    if (!keys) return 0;
    const grantKeys = await keys.docs();
    let n = 0;
    for (const cabinet of await this.cabinets.list()) {
      const { version } = await this.sources.versions.change(cabinet.id, async () => undefined);
      void this.push(cabinet.id, { kind: 'delta', version, baseVersion: version - 1, grantKeys });
      n++;
    }
    return n;
  }

  /** What an operator may see: everything but the verifiers. */
  async summary(cabinetId: string): Promise<DesiredSummary> {
    await this.cabinets.get(cabinetId);
    const snap = await this.snapshot(cabinetId);
    return {
      version: snap.version,
      couriers: snap.couriers.map(({ pin: _pin, ...rest }) => rest),
      boxes: snap.boxes,
    };
  }

  /**
   * A cabinet asked for changes since `appliedVersion`. Up to date: nothing to send. Behind: a
   * snapshot. Ahead (the cloud's database was restored from a backup): the version jumps past the
   * cabinet's so the snapshot is not ignored as stale.
   */
  async answer(cabinetId: string, appliedVersion: number): Promise<void> {
    if (!(await this.cabinets.find(cabinetId))) return;
    let current = await this.sources.versions.current(cabinetId);
    if (appliedVersion === current && current > 0) return;
    if (appliedVersion >= current) {
      current = appliedVersion + 1;
      await this.sources.versions.jumpTo(cabinetId, current);
    }
    const snap = await this.snapshot(cabinetId);
    await this.publisher.publishDesired(cabinetId, { ...snap, version: current });
  }

  private async snapshot(cabinetId: string): Promise<Extract<DesiredState, { kind: 'snapshot' }>> {
    const now = nowIso();
    const tokens = this.sources.tokens;
    const [version, couriers, boxes, cabinet, grantKeys, revokedGrants, ...grantLists] = await Promise.all([
      this.sources.versions.current(cabinetId),
      this.sources.couriers.list(cabinetId),
      this.sources.boxSettings.list(cabinetId),
      this.cabinets.get(cabinetId),
      tokens?.keys.docs(now),
      tokens?.revocations.liveAt(cabinetId, now),
      ...this.sources.grants.map((g) => g.liveGrants(cabinetId, now)),
    ]);
    return {
      kind: 'snapshot',
      version: Math.max(version, 1),
      issuedAt: now,
      couriers,
      grants: grantLists.flat(),
      boxes,
      cabinet: { outOfService: cabinet.outOfService },
      ...(grantKeys ? { grantKeys } : {}),
      ...(revokedGrants ? { revokedGrants } : {}),
    };
  }

  private async push(cabinetId: string, doc: Record<string, unknown>): Promise<void> {
    try {
      const parsed = DesiredStateSchema.parse({ issuedAt: nowIso(), ...doc });
      await this.publisher.publishDesired(cabinetId, parsed);
    } catch (err) {
      // The cabinet catches up with a snapshot when it next asks; the change is committed.
      this.logger.warn({ cabinetId, reason: (err as Error).message }, 'desired-state delta not sent');
    }
  }
}
