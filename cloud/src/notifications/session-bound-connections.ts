import type { Revocation, Session } from '../accounts/session-tokens.js';

/** Why a connection was ended; the same codes an HTTP request with that token would get. */
export type SessionEndReason = 'TOKEN_REVOKED' | 'TOKEN_EXPIRED';

/** A long-lived connection that authenticated once, when it opened; `end` must not throw. */
export interface SessionBoundConnection {
  end(reason: SessionEndReason): void;
}

interface Binding {
  tokenHash: string;
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout holds at most 2^31-1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Notification sockets authenticate once, at the upgrade, so without this a token revoked later
 * (logout, password change) or past its expiry would keep receiving. Each connection is bound to
 * its session here and ended when that session is revoked or expires. Only revocations made in
 * this process arrive here; sockets re-check their session periodically for the others.
 */
export class SessionBoundConnections {
  private readonly byUser = new Map<string, Map<SessionBoundConnection, Binding>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Binds a connection to its session; call the returned function when it closes. */
  bind(session: Session, connection: SessionBoundConnection): () => void {
    let connections = this.byUser.get(session.userId);
    if (!connections) {
      connections = new Map();
      this.byUser.set(session.userId, connections);
    }
    const binding: Binding = { tokenHash: session.tokenHash, timer: undefined };
    connections.set(connection, binding);
    const expiresAt = Date.parse(session.expiresAt);
    const arm = () => {
      const wait = expiresAt - this.now();
      if (wait <= 0) return this.end(session.userId, connection, 'TOKEN_EXPIRED');
      binding.timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
      binding.timer.unref();
    };
    arm();
    return () => this.unbind(session.userId, connection);
  }

  /** Ends the connections of a revoked token, or of every token of the user. */
  revoked(revocation: Revocation): void {
    for (const [connection, binding] of [...(this.byUser.get(revocation.userId) ?? [])]) {
      if (revocation.tokenHash === undefined || revocation.tokenHash === binding.tokenHash) {
        this.end(revocation.userId, connection, 'TOKEN_REVOKED');
      }
    }
  }

  count(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  private end(userId: string, connection: SessionBoundConnection, reason: SessionEndReason): void {
    if (!this.byUser.get(userId)?.has(connection)) return;
    this.unbind(userId, connection);
    connection.end(reason);
  }

  private unbind(userId: string, connection: SessionBoundConnection): void {
    const connections = this.byUser.get(userId);
    const binding = connections?.get(connection);
    if (!connections || !binding) return;
    clearTimeout(binding.timer);
    connections.delete(connection);
    if (connections.size === 0) this.byUser.delete(userId);
  }
}
