import type { Logger } from 'pino';
import type { AfterCommit } from '../db/group-commit.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { NotificationRepository, StoredNotification } from './notification-repository.js';

/**
 * Kinds published today: `verification.decided`, `task.changed` and the parcel kinds (`parcel.*`)
 * (docs/api.md lists kinds and payloads). Free text is allowed so a later feature (authorizations)
 * publishes its kind without a change here; add it to this union and to the doc when it does.
 */
export type NotificationKind =
  | 'verification.decided'
  | 'task.changed'
  | 'parcel.announced'
  | 'parcel.deposited'
  | 'parcel.reminder'
  | 'parcel.picked_up'
  | 'parcel.expired'
  | 'parcel.recollected'
  | 'authorization.failed'
  | (string & {});

/** One live connection of a user (a WebSocket); `send` must not throw. */
export interface NotificationSink {
  send(notification: StoredNotification): void;
}

/**
 * The one way to tell a user something: `publish` stores the notification and pushes it to every
 * live connection of the user. Connections get the stored, unacknowledged ones when they attach,
 * so what was published while a phone was offline arrives on reconnect; the client's ack removes
 * it from the backlog.
 */
export class NotificationService {
  private readonly live = new Map<string, Set<NotificationSink>>();

  /**
   * `reveal` turns a stored payload into the one a person receives: a sealed pickup code (ADR 0013)
   * is stored sealed and opened only here, on the way out, in memory.
   */
  constructor(
    private readonly store: NotificationRepository,
    private readonly logger: Logger,
    private readonly reveal: (payload: unknown) => unknown = (p) => p,
  ) {}

  private out(n: StoredNotification): StoredNotification {
    return { ...n, payload: this.reveal(n.payload) };
  }

  async publish(userId: string, kind: NotificationKind, payload: unknown): Promise<StoredNotification> {
    const n = await this.store.add(userId, kind, payload);
    this.deliver(userId, kind, n);
    return n;
  }

  /**
   * Stores the notification in the unit of work of the change it tells of (both commit or
   * neither), and pushes it to live connections once that commit is done.
   */
  async publishIn(
    trx: Executor,
    commit: AfterCommit,
    userId: string,
    kind: NotificationKind,
    payload: unknown,
  ): Promise<StoredNotification> {
    const n = await this.store.add(userId, kind, payload, new Date(), trx);
    commit.after(() => this.deliver(userId, kind, n));
    return n;
  }

  private deliver(userId: string, kind: NotificationKind, n: StoredNotification): void {
    const sinks = this.live.get(userId);
    if (sinks?.size) {
      const shown = this.out(n);
      for (const sink of sinks) sink.send(shown);
    }
    this.logger.debug(
      { userId, kind, id: n.id, live: this.live.get(userId)?.size ?? 0 },
      'notification published',
    );
  }

  /**
   * Registers a connection, then replays the backlog. Registering first means nothing published in
   * between is missed; the sink may then see one twice, so sinks drop ids they already sent.
   */
  async attach(userId: string, sink: NotificationSink): Promise<() => void> {
    let sinks = this.live.get(userId);
    if (!sinks) {
      sinks = new Set();
      this.live.set(userId, sinks);
    }
    sinks.add(sink);
    const detach = () => {
      sinks.delete(sink);
      if (sinks.size === 0 && this.live.get(userId) === sinks) this.live.delete(userId);
    };
    try {
      for (const n of await this.store.pending(userId)) sink.send(this.out(n));
    } catch (err) {
      detach();
      throw err;
    }
    return detach;
  }

  ack(userId: string, ids: string[]): Promise<number> {
    return this.store.ack(userId, ids);
  }

  async pending(userId: string): Promise<StoredNotification[]> {
    return (await this.store.pending(userId)).map((n) => this.out(n));
  }

  connections(userId: string): number {
    return this.live.get(userId)?.size ?? 0;
  }
}
