import { type BoxState, TypedEmitter } from '@locker/protocol';

/** What subsystems tell each other inside the daemon (zigbee2mqtt-style typed bus). */
export interface EdgeEventMap {
  /** A box's state was committed to the store. */
  boxChanged: BoxState;
  /** The cloud link came up or went down. */
  linkChanged: { connected: boolean };
}

/** The daemon's bus: the platform's one typed emitter, with room for every subsystem's listeners. */
export class EdgeEventBus extends TypedEmitter<EdgeEventMap> {
  constructor() {
    super({ maxListeners: 50 });
  }
}
