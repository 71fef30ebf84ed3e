import {
  type BoxNo,
  DesiredState as DesiredSchema,
  type DesiredState,
  type DesiredStateInput,
  parseOrThrow,
} from '@locker/protocol';
import type { Logger } from 'pino';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { AccessKeyWatch } from '../credentials/access-keys.js';
import { restingUsage } from '../parcels/parcel-store.js';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';
import type { CredentialStore } from './credential-store.js';
import type { GrantTokenStore } from './grant-token-store.js';

export type ApplyOutcome =
  | { applied: true; version: number }
  | { applied: false; reason: 'stale' | 'gap'; appliedVersion: number };

/**
 * Applies the cloud's desired-state documents: a snapshot replaces, a delta patches on top of the version
 * it names. Everything in one transaction with the `desired.applied` event, or nothing. Versions only go
 * up: a document at or below the applied version is stale and ignored (redeliveries, reordering).
 */
export class DesiredStateApplier {
  constructor(
    private readonly store: EdgeStore,
    private readonly credentials: CredentialStore,
    private readonly boxes: BoxStateMachine,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly tokens: GrantTokenStore,
    private readonly keys?: AccessKeyWatch,
  ) {}

  appliedVersion(): number {
    const row = this.store.prepare('SELECT version FROM desired_meta WHERE id = 1').get() as
      | { version: number }
      | undefined;
    return row?.version ?? 0;
  }

  apply(input: DesiredState | DesiredStateInput): ApplyOutcome {
    const doc = parseOrThrow(DesiredSchema, input, 'PAYLOAD_INVALID', 'desired state');
    return this.store.tx(() => {
      const current = this.appliedVersion();
      if (doc.version <= current) {
        this.logger.info({ version: doc.version, applied: current }, 'stale desired state ignored');
        return { applied: false, reason: 'stale', appliedVersion: current } as const;
      }
      if (doc.kind === 'delta' && doc.baseVersion !== current) {
        this.logger.warn(
          { base: doc.baseVersion, applied: current },
          'desired delta does not follow; ignored',
        );
        return { applied: false, reason: 'gap', appliedVersion: current } as const;
      }
      const touched = new Set<BoxNo>();
      if (doc.kind === 'snapshot') {
        for (const b of this.credentials.clearUnused()) touched.add(b);
        this.store.prepare('DELETE FROM box_settings').run();
      } else {
        for (const id of doc.removeCouriers) this.credentials.removeCourier(id);
        for (const id of doc.removeGrants) {
          const box = this.credentials.removeGrant(id);
          if (box) touched.add(box);
        }
      }
      for (const c of doc.couriers) this.credentials.upsertCourier(c);
      for (const g of doc.grants) {
        this.credentials.upsertGrant(g);
        touched.add(g.boxNo);
      }
      const settings = this.store.prepare(
        'INSERT INTO box_settings (box_no, out_of_service) VALUES (?, ?) ON CONFLICT (box_no) DO UPDATE SET out_of_service = excluded.out_of_service',
      );
      for (const s of doc.boxes) {
        settings.run(s.boxNo, s.outOfService ? 1 : 0);
        touched.add(s.boxNo);
      }
      // Signed grant tokens (ADR 0017): a snapshot states keys and revocations in full.
      if (doc.kind === 'snapshot') {
        this.tokens.replaceKeys(doc.grantKeys ?? []);
        this.tokens.replaceRevocations(doc.revokedGrants ?? []);
      } else {
        if (doc.grantKeys) this.tokens.replaceKeys(doc.grantKeys);
        this.tokens.addRevocations(doc.revokedGrants);
      }
      this.tokens.prune(new Date());
      for (const boxNo of touched) this.settle(boxNo);
      this.store
        .prepare(
          'INSERT INTO desired_meta (id, version, applied_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at',
        )
        .run(doc.version, new Date().toISOString());
      // A snapshot states the cabinet's settings in full (absent: in service); a delta only when changed.
      const cabinetOutOfService =
        doc.kind === 'snapshot' ? (doc.cabinet?.outOfService ?? false) : doc.cabinet?.outOfService;
      if (cabinetOutOfService !== undefined) {
        this.store.db
          .prepare('UPDATE desired_meta SET cabinet_out_of_service = ? WHERE id = 1')
          .run(cabinetOutOfService ? 1 : 0);
        this.logger.info({ outOfService: cabinetOutOfService }, 'cabinet service setting applied');
      }
      this.keys?.check();
      this.outbox.append('desired.applied', { version: doc.version });
      this.logger.info({ version: doc.version, kind: doc.kind }, 'desired state applied');
      return { applied: true, version: doc.version } as const;
    });
  }

  /** Out-of-service from the cloud wins; otherwise a box at rest shows what it holds (reserved/free). */
  private settle(boxNo: BoxNo): void {
    const box = this.boxes.find(boxNo);
    if (!box) return;
    const oos = this.store.prepare('SELECT out_of_service FROM box_settings WHERE box_no = ?').get(boxNo) as
      | { out_of_service: number }
      | undefined;
    if (oos?.out_of_service === 1) {
      this.boxes.apply(boxNo, { usage: 'out_of_service' }, 'operator');
      return;
    }
    if (box.usage === 'free' || box.usage === 'reserved' || (box.usage === 'out_of_service' && oos)) {
      this.boxes.apply(boxNo, { usage: restingUsage(this.store, boxNo) }, 'operator');
    }
  }
}
