import { EventEmitter } from 'node:events';

/** A node EventEmitter whose event names and payloads are checked by the compiler. */
export class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly ee = new EventEmitter();

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.ee.on(event, listener);
    return () => this.ee.off(event, listener);
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.ee.emit(event, payload);
  }
}
