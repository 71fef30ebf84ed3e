import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '../src/accounts/session-tokens.js';
import {
  SessionBoundConnections,
  type SessionEndReason,
} from '../src/notifications/session-bound-connections.js';

const session = (userId: string, tokenHash: string, expiresInMs = 3_600_000): Session => ({
  userId,
  tokenHash,
  expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
});

function recorder() {
  const ended: SessionEndReason[] = [];
  return { ended, connection: { end: (reason: SessionEndReason) => ended.push(reason) } };
}

describe('SessionBoundConnections', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends only the revoked token’s connections, or all of the user’s when no token is named', () => {
    const registry = new SessionBoundConnections();
    const a = recorder();
    const b = recorder();
    const stranger = recorder();
    registry.bind(session('u1', 'ha'), a.connection);
    registry.bind(session('u1', 'hb'), b.connection);
    registry.bind(session('u2', 'ha'), stranger.connection);
    registry.revoked({ userId: 'u1', tokenHash: 'ha' });
    expect([a.ended, b.ended, stranger.ended]).toEqual([['TOKEN_REVOKED'], [], []]);
    registry.revoked({ userId: 'u1' });
    expect([a.ended, b.ended, stranger.ended]).toEqual([['TOKEN_REVOKED'], ['TOKEN_REVOKED'], []]);
    expect(registry.count('u1')).toBe(0);
    expect(registry.count('u2')).toBe(1);
  });

  it('ends a connection when its token expires, and not after it was unbound', () => {
    vi.useFakeTimers();
    const registry = new SessionBoundConnections();
    const expiring = recorder();
    const closed = recorder();
    registry.bind(session('u1', 'h1', 60_000), expiring.connection);
    const unbind = registry.bind(session('u1', 'h2', 60_000), closed.connection);
    unbind();
    vi.advanceTimersByTime(59_000);
    expect(expiring.ended).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(expiring.ended).toEqual(['TOKEN_EXPIRED']);
    expect(closed.ended).toEqual([]);
    expect(registry.count('u1')).toBe(0);
  });

  it('re-arms waits longer than a timer can hold (tokens living 90 days)', () => {
    vi.useFakeTimers();
    const registry = new SessionBoundConnections();
    const long = recorder();
    registry.bind(session('u1', 'h', 90 * 86_400_000), long.connection);
    vi.advanceTimersByTime(89 * 86_400_000);
    expect(long.ended).toEqual([]);
    vi.advanceTimersByTime(86_400_000 + 1);
    expect(long.ended).toEqual(['TOKEN_EXPIRED']);
  });
});
