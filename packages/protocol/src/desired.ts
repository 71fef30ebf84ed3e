import { z } from 'zod';
import { BoxNo, IsoTime } from './ids.js';

/**
 * Desired state: what the cloud wants a cabinet to hold so it can serve people offline (courier
 * credentials, grants and reservations of boxes, box settings). It travels cloud -> edge on
 * `lockers/{cabinetId}/desired` as a versioned document, either a full `snapshot` or a `delta` on top of
 * `baseVersion`. On every (re)connect the cabinet publishes `desired/get` with the version it applied;
 * the cloud answers with a delta from there or a snapshot. Versions only grow; a document whose version is
 * not above the applied one is stale and ignored, and a delta whose base is not the applied version is
 * ignored too (the cabinet asks again). A document is applied atomically or not at all.
 */

/**
 * A secret the cabinet can verify but never learns: scrypt of the secret (a courier PIN, a grantee's
 * access code) with a per-secret salt, computed by the cloud. Lookups go by the id next to it (courier id,
 * user number), so the slow hash is computed once per attempt.
 */
export const ScryptVerifier = z
  .object({
    alg: z.literal('scrypt'),
    /** CPU/memory cost; bounded so a document cannot make the cabinet spin or run out of memory. */
    N: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 17)
      .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
    r: z.number().int().min(1).max(16),
    p: z.number().int().min(1).max(4),
    /** base64 */
    salt: z.string().min(16).max(64),
    /** base64 of the 32-byte derived key */
    hash: z.string().min(40).max(64),
  })
  .strict();
export type ScryptVerifier = z.infer<typeof ScryptVerifier>;

/** A key id of a cabinet access key: which key an HMAC verifier was made under (ADR 0015). */
export const AccessKeyId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

/**
 * A grant's access code as the cabinet checks it (ADR 0015): HMAC-SHA256 under the cabinet's own access
 * key, bound to the grant id. The key reaches the cabinet once, at provisioning, never over MQTT, so a
 * captured document or a copied cloud database cannot be tried against the 10^8 codes; and it costs
 * microseconds, not a scrypt, on both sides.
 */
export const HmacVerifier = z
  .object({
    alg: z.literal('hmac-sha256'),
    kid: AccessKeyId,
    /** base64 of the 32-byte MAC */
    hash: z.string().min(40).max(64),
  })
  .strict();
export type HmacVerifier = z.infer<typeof HmacVerifier>;

/** What a grant's access code is checked against: HMAC (today) or scrypt (grants from older clouds). */
export const AccessVerifier = z.discriminatedUnion('alg', [HmacVerifier, ScryptVerifier]);
export type AccessVerifier = z.infer<typeof AccessVerifier>;

/** A user number: usually the phone number (the patent's `13466666666`). */
export const UserNo = z.string().regex(/^[0-9A-Za-z+_-]{1,32}$/);
export type UserNo = z.infer<typeof UserNo>;

export const CourierCredentialDoc = z
  .object({
    courierId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    name: z.string().max(100).optional(),
    company: z.string().max(100).optional(),
    pin: ScryptVerifier,
    expiresAt: IsoTime.optional(),
  })
  .strict();
export type CourierCredentialDoc = z.infer<typeof CourierCredentialDoc>;

/**
 * A right to use one box: `deposit` (an empty-box right: a reservation, or a holder's right handed to a
 * grantee) or `pickup` (take out what is inside). `userNo` is who may use it now (the grantee once the
 * holder or an authorizer handed it on), `holderNo` who held it first (for tracking).
 */
export const GrantDoc = z
  .object({
    grantId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    kind: z.enum(['deposit', 'pickup']),
    boxNo: BoxNo,
    userNo: UserNo,
    holderNo: UserNo.optional(),
    authorizerId: z.string().max(32).optional(),
    access: AccessVerifier,
    expiresAt: IsoTime,
  })
  .strict();
export type GrantDoc = z.infer<typeof GrantDoc>;

/** A key id of the cloud's grant-signing key (ADR 0017). */
export const GrantKeyId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

/**
 * A public key the cabinet accepts signed grant tokens under (ADR 0017): Ed25519, base64url of the
 * raw 32 bytes. `acceptUntil` is set on a key the cloud has rotated away from: tokens it signed work
 * until then (they expire sooner anyway); a key missing from the list is refused at once.
 */
export const GrantKeyDoc = z
  .object({
    kid: GrantKeyId,
    alg: z.literal('ed25519'),
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    acceptUntil: IsoTime.optional(),
  })
  .strict();
export type GrantKeyDoc = z.infer<typeof GrantKeyDoc>;

/**
 * A grant revoked before its tokens expired: the cabinet refuses its tokens until `until` (the
 * latest expiry a token of it can have); after that the entry can go, so the list stays short.
 */
export const RevokedGrantDoc = z
  .object({ grantId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/), until: IsoTime })
  .strict();
export type RevokedGrantDoc = z.infer<typeof RevokedGrantDoc>;

export const BoxSettingDoc = z.object({ boxNo: BoxNo, outOfService: z.boolean() }).strict();
export type BoxSettingDoc = z.infer<typeof BoxSettingDoc>;

/** Settings of the whole cabinet: out of service refuses people at the touchscreen, not operators. */
export const CabinetSettingDoc = z.object({ outOfService: z.boolean() }).strict();
export type CabinetSettingDoc = z.infer<typeof CabinetSettingDoc>;

const version = z.number().int().positive();

export const DesiredSnapshot = z
  .object({
    kind: z.literal('snapshot'),
    version,
    issuedAt: IsoTime.optional(),
    couriers: z.array(CourierCredentialDoc).max(5000),
    grants: z.array(GrantDoc).max(5000),
    boxes: z.array(BoxSettingDoc).max(1000).default([]),
    /** Absent from older clouds: the cabinet is in service. */
    cabinet: CabinetSettingDoc.optional(),
    /** The whole list of grant-token keys; absent from older clouds (no tokens accepted). */
    grantKeys: z.array(GrantKeyDoc).max(16).optional(),
    /** Every revocation still in force; absent from older clouds. */
    revokedGrants: z.array(RevokedGrantDoc).max(20000).optional(),
  })
  .strict();

export const DesiredDelta = z
  .object({
    kind: z.literal('delta'),
    version,
    baseVersion: z.number().int().nonnegative(),
    issuedAt: IsoTime.optional(),
    couriers: z.array(CourierCredentialDoc).max(5000).default([]),
    removeCouriers: z.array(z.string().max(64)).max(5000).default([]),
    grants: z.array(GrantDoc).max(5000).default([]),
    removeGrants: z.array(z.string().max(64)).max(5000).default([]),
    boxes: z.array(BoxSettingDoc).max(1000).default([]),
    /** Present only when the cabinet's own settings changed. */
    cabinet: CabinetSettingDoc.optional(),
    /** Present only when the keys changed: the whole new list, replacing the old. */
    grantKeys: z.array(GrantKeyDoc).max(16).optional(),
    /** Revocations added since the base version. */
    revokedGrants: z.array(RevokedGrantDoc).max(20000).default([]),
  })
  .strict()
  .refine((d) => d.version > d.baseVersion, 'version must be above baseVersion');

export const DesiredState = z.union([DesiredSnapshot, DesiredDelta]);
export type DesiredState = z.infer<typeof DesiredState>;
export type DesiredStateInput = z.input<typeof DesiredState>;

/** `lockers/{cabinetId}/desired/get`: the cabinet asks for changes since the version it applied (0: none). */
export const DesiredRequest = z.object({ appliedVersion: z.number().int().nonnegative() }).strict();
export type DesiredRequest = z.infer<typeof DesiredRequest>;
