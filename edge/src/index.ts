export { BoxStateMachine } from './boxes/box-state-machine.js';
export { boxLayout, EdgeConfig, type EdgeConfigInput, loadEdgeConfig, parseEdgeConfig } from './config.js';
export { EdgeDaemon, type EdgeDaemonOptions } from './daemon.js';
export { EDGE_ENV, EDGE_NODE_ARGS } from './runtime.js';
