import type { Migration } from 'kysely';
import * as m0001 from './0001-fleet.js';
import * as m0002 from './0002-accounts.js';
import * as m0003 from './0003-desired-state.js';
import * as m0004 from './0004-operators.js';
import * as m0005 from './0005-tasks.js';
import * as m0006 from './0006-parcels.js';
import * as m0007 from './0007-sites-grants.js';
import * as m0008 from './0008-nearby-vectors.js';
import * as m0009 from './0009-operator-passwords.js';
import * as m0010 from './0010-authorizers.js';
import * as m0011 from './0011-grant-tokens.js';

/**
 * Every migration, in order. Names are stable forever: Kysely records them in the database.
 * Other features append their own files here (e.g. `0002-accounts`).
 */
export const migrations: Record<string, Migration> = {
  '0001-fleet': m0001,
  '0002-accounts': m0002,
  '0003-desired-state': m0003,
  '0004-operators': m0004,
  '0005-tasks': m0005,
  '0006-parcels': m0006,
  '0007-sites-grants': m0007,
  '0008-nearby-vectors': m0008,
  '0009-operator-passwords': m0009,
  '0010-authorizers': m0010,
  '0011-grant-tokens': m0011,
};
