import type { IssuedCode } from './pickup-codes.js';

/** How long codes nobody asked for stay in memory; the kiosk page asks within a second of completion. */
export const HANDOFF_TTL_MS = 15 * 60_000;

/**
 * The only place a pickup code and QR token exist in plain after their deposit committed: process
 * memory, until the one answer that shows them to the courier takes them (ADR 0009). Nothing is
 * written to the database, so neither a table nor the WAL ever holds them; a restart forgets them.
 */
export class CodeHandoff {
  private readonly held = new Map<string, { issued: IssuedCode; at: number }>();

  hold(sessionId: string, issued: IssuedCode, now = Date.now()): void {
    this.forgetOld(now);
    this.held.set(sessionId, { issued, at: now });
  }

  take(sessionId: string, now = Date.now()): IssuedCode | undefined {
    this.forgetOld(now);
    const entry = this.held.get(sessionId);
    this.held.delete(sessionId);
    return entry?.issued;
  }

  get size(): number {
    return this.held.size;
  }

  private forgetOld(now: number): void {
    for (const [id, e] of this.held) if (now - e.at > HANDOFF_TTL_MS) this.held.delete(id);
  }
}
