import {
  AccessVerifier,
  type BoxNo,
  type CourierCredentialDoc,
  type GrantDoc,
  ScryptVerifier,
} from '@locker/protocol';
import type { EdgeStore } from '../store/edge-store.js';

export interface CourierCredential {
  courierId: string;
  name: string | null;
  company: string | null;
  pin: ScryptVerifier;
  expiresAt: string | null;
}

export interface Grant {
  grantId: string;
  kind: 'deposit' | 'pickup';
  boxNo: BoxNo;
  userNo: string;
  holderNo: string | null;
  authorizerId: string | null;
  access: AccessVerifier;
  expiresAt: string;
  usedAt: string | null;
}

interface GrantRow {
  grant_id: string;
  kind: 'deposit' | 'pickup';
  box_no: string;
  user_no: string;
  holder_no: string | null;
  authorizer_id: string | null;
  verifier: string;
  expires_at: string;
  used_at: string | null;
}

/** How long a use is remembered when the grant's expiry is unknown (its tokens live hours). */
const USE_MEMORY_MS = 31 * 24 * 3_600_000;

/** Courier credentials and grants as the cloud sent them (verifiers, never secrets). */
export class CredentialStore {
  constructor(private readonly store: EdgeStore) {}

  courier(courierId: string): CourierCredential | undefined {
    const r = this.store.prepare('SELECT * FROM couriers WHERE courier_id = ?').get(courierId) as
      | {
          courier_id: string;
          name: string | null;
          company: string | null;
          verifier: string;
          expires_at: string | null;
        }
      | undefined;
    if (!r) return undefined;
    return {
      courierId: r.courier_id,
      name: r.name,
      company: r.company,
      pin: ScryptVerifier.parse(JSON.parse(r.verifier)),
      expiresAt: r.expires_at,
    };
  }

  companyOf(courierId: string): string | null {
    const r = this.store.prepare('SELECT company FROM couriers WHERE courier_id = ?').get(courierId) as
      | { company: string | null }
      | undefined;
    return r?.company ?? null;
  }

  /** Unused grants of a user (expired ones too: the caller tells "expired" from "wrong"). */
  grantsOf(userNo: string): Grant[] {
    const rows = this.store
      .prepare('SELECT * FROM grants WHERE user_no = ? AND used_at IS NULL ORDER BY box_no')
      .all(userNo) as GrantRow[];
    return rows.map(toGrant);
  }

  /** Key ids that unused grants' HMAC verifiers were made under (ADR 0015). */
  keyIdsInUse(): string[] {
    const rows = this.store
      .prepare(
        "SELECT DISTINCT json_extract(verifier, '$.kid') AS kid FROM grants WHERE used_at IS NULL AND json_extract(verifier, '$.alg') = 'hmac-sha256'",
      )
      .all() as Array<{ kid: string | null }>;
    return rows.flatMap((r) => (r.kid ? [r.kid] : []));
  }

  grant(grantId: string): Grant | undefined {
    const r = this.store.prepare('SELECT * FROM grants WHERE grant_id = ?').get(grantId) as
      | GrantRow
      | undefined;
    return r && toGrant(r);
  }

  /**
   * Marks a grant used, whichever way it was presented: its row if the cloud sent it, and the use
   * list that signed tokens are checked against (ADR 0017), kept until the grant's expiry.
   */
  markGrantUsed(grantId: string, at: string, parcelId: string | null, expiresAt?: string): void {
    this.store
      .prepare('UPDATE grants SET used_at = ?, parcel_id = ? WHERE grant_id = ?')
      .run(at, parcelId, grantId);
    const known = this.grant(grantId)?.expiresAt;
    const until = known ?? expiresAt ?? new Date(Date.parse(at) + USE_MEMORY_MS).toISOString();
    this.store
      .prepare('INSERT INTO grant_uses (grant_id, used_at, until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(grantId, at, until);
  }

  upsertCourier(c: CourierCredentialDoc): void {
    this.store
      .prepare(
        `INSERT INTO couriers (courier_id, name, company, verifier, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (courier_id) DO UPDATE SET name = excluded.name, company = excluded.company,
         verifier = excluded.verifier, expires_at = excluded.expires_at`,
      )
      .run(c.courierId, c.name ?? null, c.company ?? null, JSON.stringify(c.pin), c.expiresAt ?? null);
  }

  removeCourier(courierId: string): void {
    this.store.prepare('DELETE FROM couriers WHERE courier_id = ?').run(courierId);
  }

  /**
   * A grant the cabinet already used keeps its used mark when the cloud repeats it, and one first
   * used by its signed token arrives marked used.
   */
  upsertGrant(g: GrantDoc): void {
    this.store
      .prepare(
        `INSERT INTO grants (grant_id, kind, box_no, user_no, holder_no, authorizer_id, verifier, expires_at, used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT used_at FROM grant_uses WHERE grant_id = ?))
         ON CONFLICT (grant_id) DO UPDATE SET kind = excluded.kind, box_no = excluded.box_no,
         user_no = excluded.user_no, holder_no = excluded.holder_no, authorizer_id = excluded.authorizer_id,
         verifier = excluded.verifier, expires_at = excluded.expires_at`,
      )
      .run(
        g.grantId,
        g.kind,
        g.boxNo,
        g.userNo,
        g.holderNo ?? null,
        g.authorizerId ?? null,
        JSON.stringify(g.access),
        g.expiresAt,
        g.grantId,
      );
  }

  /** Returns the box of the removed grant, so its usage can be recomputed. */
  removeGrant(grantId: string): BoxNo | undefined {
    const g = this.grant(grantId);
    this.store.prepare('DELETE FROM grants WHERE grant_id = ? AND used_at IS NULL').run(grantId);
    return g?.boxNo;
  }

  /** Snapshots replace everything not yet used. */
  clearUnused(): BoxNo[] {
    const boxes = this.store
      .prepare('SELECT DISTINCT box_no FROM grants WHERE used_at IS NULL')
      .all() as Array<{
      box_no: string;
    }>;
    this.store.prepare('DELETE FROM grants WHERE used_at IS NULL').run();
    this.store.prepare('DELETE FROM couriers').run();
    return boxes.map((b) => b.box_no);
  }
}

function toGrant(r: GrantRow): Grant {
  return {
    grantId: r.grant_id,
    kind: r.kind,
    boxNo: r.box_no,
    userNo: r.user_no,
    holderNo: r.holder_no,
    authorizerId: r.authorizer_id,
    access: AccessVerifier.parse(JSON.parse(r.verifier)),
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  };
}
