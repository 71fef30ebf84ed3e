export { buildApp, type CloudServices } from './app.js';
// For the authorizer bench in tools/ (times the cloud's own POSTs to the authorizer).
export { postSigned } from './authorizers/authorizer-client.js';
export { CloudConfig, type CloudConfigInput, loadCloudConfig, parseCloudConfig } from './config.js';
// For the task bench in tools/ (nearby search against the real index and database).
export { createDatabase, type Db, migrateToLatest } from './db/database.js';
export { CloudServer } from './server.js';
export { EARTH_RADIUS_M } from './tasks/geo.js';
export { NearbyIndex, nearbyRow } from './tasks/nearby-index.js';
