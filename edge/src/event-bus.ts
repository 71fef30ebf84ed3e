import { EventEmitter } from 'node:events';
import type { BoxState } from '@locker/protocol';

/** What subsystems tell each other inside the daemon (zigbee2mqtt-style typed bus). */
export interface EdgeEventMap {
  /** A box's state was committed to the store. */
  boxChanged: BoxState;
  /** The cloud link came up or went down. */
  linkChanged: { connected: boolean };
}

export class EdgeEventBus {
  private readonly ee = new EventEmitter();

  constructor() {
    this.ee.setMaxListeners(50);
  }

  on<K extends keyof EdgeEventMap>(event: K, listener: (payload: EdgeEventMap[K]) => void): () => void {
    this.ee.on(event, listener);
    return () => this.ee.off(event, listener);
  }

  emit<K extends keyof EdgeEventMap>(event: K, payload: EdgeEventMap[K]): void {
    this.ee.emit(event, payload);
  }
}
