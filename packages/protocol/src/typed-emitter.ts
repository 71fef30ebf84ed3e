import { EventEmitter } from 'node:events';

/**
 * The one typed emitter of the platform (cloud fleet link, lock-board monitor, edge event bus):
 * event names and payloads are checked by the compiler, each event carries one payload, and `on`
 * hands back the function that unsubscribes, so a subsystem's stop() undoes exactly what it added.
 * `E` may be an interface (no index signature needed).
 */
export class TypedEmitter<E extends { [K in keyof E]: unknown }> {
  private readonly ee = new EventEmitter();

  /** `maxListeners` raises node's leak warning threshold for a bus many subsystems listen on. */
  constructor(opts: { maxListeners?: number } = {}) {
    if (opts.maxListeners !== undefined) this.ee.setMaxListeners(opts.maxListeners);
  }

  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void {
    this.ee.on(event, listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void {
    this.ee.once(event, listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): void {
    this.ee.off(event, listener);
  }

  removeAllListeners(): void {
    this.ee.removeAllListeners();
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.ee.listenerCount(event);
  }

  emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    this.ee.emit(event, payload);
  }
}
