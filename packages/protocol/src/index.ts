export * from './box.js';
export * from './commands.js';
export * from './errors.js';
export * from './events.js';
export * from './ids.js';
export * from './json.js';
export * from './status.js';
export * from './topics.js';
