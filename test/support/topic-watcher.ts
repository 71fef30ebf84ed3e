import mqtt, { type MqttClient } from 'mqtt';

export interface SeenMessage {
  topic: string;
  text: string;
  retain: boolean;
  json: unknown;
}

/** An operator's view of the broker: subscribes to a filter and keeps every message it sees. */
export class TopicWatcher {
  readonly messages: SeenMessage[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.messages.push({ topic, text, retain: packet.retain, json });
      for (const w of this.waiters) w();
    });
  }

  static async connect(
    url: string,
    username: string,
    password: string,
    filter: string,
  ): Promise<TopicWatcher> {
    const client = await mqtt.connectAsync(url, {
      username,
      password,
      reconnectPeriod: 500,
      protocolVersion: 4,
    });
    const watcher = new TopicWatcher(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return watcher;
  }

  waitFor(match: (m: SeenMessage) => boolean, timeoutMs = 15_000): Promise<SeenMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.messages.find(match);
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.messages.slice(-8).map((m) => `${m.topic} ${m.text.slice(0, 120)}`);
        reject(new Error(`no matching message in ${timeoutMs} ms; last seen:\n${seen.join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Forgets what was seen so far (to wait for the next occurrence). */
  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
