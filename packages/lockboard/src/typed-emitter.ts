/** The platform's one typed emitter lives in the protocol package; the monitor extends it. */
export { TypedEmitter } from '@locker/protocol';
