import type { Logger } from 'pino';
import { SecretSeal } from '../accounts/secret-seal.js';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { ParcelRepository } from '../parcels/parcel-repository.js';
import { GrantSigningKeys } from './grant-signing-keys.js';
import { GrantTokenIssuer } from './grant-token-issuer.js';
import { RevocationList } from './revocation-list.js';

/** Signed grant tokens (issue 9, ADR 0017): the signing keys, the issuer and the revocation list. */
export interface GrantTokens {
  keys: GrantSigningKeys;
  issuer: GrantTokenIssuer;
  revocations: RevocationList;
}

export function createGrantTokens(db: Db, config: CloudConfig, logger: Logger): GrantTokens {
  const keys = new GrantSigningKeys(
    db,
    SecretSeal.fromConfig(config.secrets.sealKey, config.adminToken),
    logger,
  );
  const parcels = new ParcelRepository(db);
  const issuer = new GrantTokenIssuer(keys, config.rights.grantTokenTtlMinutes * 60_000, async (parcelNo) => {
    const row = await parcels.get(parcelNo).catch(() => undefined);
    return row?.cabinet_parcel_id ?? null;
  });
  return { keys, issuer, revocations: new RevocationList(db) };
}
