import type { Db } from '../../db/database.js';
import type { GroupCommit } from '../../db/group-commit.js';
import type { DesiredSources } from '../desired-state-service.js';
import { BoxSettingRepository } from './box-setting-repository.js';
import { CourierCredentialRepository } from './courier-credential-repository.js';
import { DesiredVersionRepository } from './desired-version-repository.js';
import type { GrantSource } from './grant-source.js';

/** The repositories desired state is composed from; grant sources are added by their modules. */
export function desiredSources(
  db: Db,
  grants: GrantSource[] = [],
  units?: GroupCommit,
  tokens?: DesiredSources['tokens'],
): DesiredSources {
  return {
    versions: new DesiredVersionRepository(db, units),
    couriers: new CourierCredentialRepository(db),
    boxSettings: new BoxSettingRepository(db),
    grants,
    ...(tokens ? { tokens } : {}),
  };
}
