import type { AccessKeyring } from '@locker/protocol';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { EdgeConfig } from '../config.js';
import type { CredentialStore } from '../desired/credential-store.js';

/** The cabinet's access keys from its config (`accessKeys`, ADR 0015), by key id. */
export function accessKeyring(config: Pick<EdgeConfig, 'accessKeys'>): AccessKeyring {
  return new Map(
    Object.entries(config.accessKeys ?? {}).map(([kid, b64]) => [kid, Buffer.from(b64, 'base64url')]),
  );
}

const SUBJECT_PREFIX = 'kid:';

/**
 * Tells the truth about grants this cabinet cannot check: an `access_key_missing` alarm for each key
 * id that a stored grant was made under and the config does not hold (a cabinet provisioned without
 * its key, or a cloud whose master key changed). Checked after every desired-state document and at
 * start, so adding the key to the config and restarting clears it.
 */
export class AccessKeyWatch {
  constructor(
    private readonly keys: AccessKeyring,
    private readonly credentials: CredentialStore,
    private readonly alarms: AlarmKeeper,
  ) {}

  check(): void {
    const missing = new Set(this.credentials.keyIdsInUse().filter((kid) => !this.keys.has(kid)));
    for (const kid of missing) {
      this.alarms.raise(
        'access_key_missing',
        SUBJECT_PREFIX + kid,
        `grants need access key ${kid}, which this cabinet's config does not hold (accessKeys); their codes cannot be checked`,
      );
    }
    for (const a of this.alarms.active()) {
      if (a.kind === 'access_key_missing' && !missing.has(a.subject.slice(SUBJECT_PREFIX.length))) {
        this.alarms.clear('access_key_missing', a.subject);
      }
    }
  }
}
