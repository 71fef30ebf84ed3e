export { buildApp, type CloudServices } from './app.js';
export { CloudConfig, type CloudConfigInput, loadCloudConfig, parseCloudConfig } from './config.js';
export { CloudServer } from './server.js';
