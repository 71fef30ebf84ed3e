import { parseTopic } from '@locker/protocol';

/** The broker limits of cloud config `broker.limits` (docs/mqtt.md, "Limits"). */
export interface BrokerLimits {
  /** Whole MQTT packet, header included; a bigger one disconnects its sender. */
  maxPacketBytes: number;
  /** Sustained publishes per second of one client (the cloud service is exempt). */
  messagesPerSecond: number;
  /** Publishes a client may send at once before the rate applies (a reconnect burst). */
  burst: number;
  /** A client whose publishes would wait longer than this is disconnected instead. */
  maxThrottleMs: number;
  /** Box numbers 01..N of a cabinet registered without its layout. */
  defaultBoxCount: number;
}

/**
 * The largest payload each topic of the contract carries, in bytes. Sized from the schemas with room
 * to spare: a status or box state is a few hundred bytes, an event or command answer a few KiB.
 */
export const PAYLOAD_LIMITS = {
  status: 2048,
  box: 2048,
  events: 65_536,
  eventsAck: 65_536,
  request: 4096,
  response: 65_536,
  desiredGet: 1024,
  /** Written by the cloud only: all couriers and settings of a cabinet. */
  desired: 1_048_576,
} as const;

/** The payload limit of a topic of the contract, or undefined for a topic outside it. */
export function payloadLimit(topic: string): number | undefined {
  const where = parseTopic(topic);
  return where ? PAYLOAD_LIMITS[where.kind] : undefined;
}

/** Box numbers `01`..`NN` of the default layout (the edge numbers one box per lock the same way). */
export function defaultBoxNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i + 1).padStart(2, '0'));
}

/**
 * A token bucket per client. `reserve()` takes one token at once (it may go negative) and says how
 * long the caller must wait before using it, so a burst is spread out at the rate, in arrival order.
 * Synchronous, so concurrent publishes of one socket read cannot all pass one check.
 */
export class PublishRateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Milliseconds until this publish may go ahead (0: at once). */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  /** Gives back a reservation that was not used (a refused publish). */
  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}
