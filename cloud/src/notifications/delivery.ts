/** One message for a person outside the app: an SMS to a phone, or a push to a device token. */
export interface OutboundMessage {
  /** Stable across retries, so a provider can drop a message it already accepted. */
  id: string;
  channel: 'sms' | 'push';
  to: string;
  kind: string;
  text: string;
  data: Record<string, unknown>;
}

/** Where SMS and push messages leave the cloud; `send` resolves once the provider accepted it, else throws. */
export interface DeliveryProvider {
  readonly name: string;
  send(message: OutboundMessage): Promise<void>;
}

/** Keeps what it was given in memory (tests, and installs without a provider); can be told to fail. */
export class RecordingProvider implements DeliveryProvider {
  readonly name = 'recording';
  readonly sent: OutboundMessage[] = [];
  private failures = 0;

  /** The next `n` sends throw, as an unreachable provider would. */
  failNext(n: number): void {
    this.failures = n;
  }

  async send(message: OutboundMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('recording provider: told to fail');
    }
    this.sent.push(message);
  }
}

export interface HttpProviderOptions {
  url: string;
  /** Sent as `Authorization: Bearer`; the provider's API key. */
  token?: string | undefined;
  timeoutMs?: number;
}

/**
 * The shape of a real SMS or push gateway: a JSON POST per message with an idempotency key, any 2xx
 * meaning accepted. The response body is never logged or stored (it may echo the text).
 */
export class HttpDeliveryProvider implements DeliveryProvider {
  readonly name = 'http';

  constructor(private readonly opts: HttpProviderOptions) {}

  async send(message: OutboundMessage): Promise<void> {
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': message.id,
        ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
      },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`delivery provider answered HTTP ${res.status}`);
  }
}
