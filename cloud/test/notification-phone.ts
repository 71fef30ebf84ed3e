import WebSocket from 'ws';

export interface Frame {
  type: string;
  notification?: { id: string; kind: string; payload: unknown };
  ids?: string[];
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/**
 * A phone's notification socket that records every frame; `next` waits for one of a type and
 * `closed` settles with the close code and reason, so tests wait for events instead of timing.
 */
export class Phone {
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseEvent>;
  private waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(String(raw)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Rejects with `HTTP <status> <body>` when the server refuses the upgrade. */
  static connect(url: string, headers: Record<string, string>, protocols: string[] = []): Promise<Phone> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers });
      const phone = new Phone(ws);
      ws.once('open', () => resolve(phone));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => reject(new Error(`HTTP ${res.statusCode} ${body}`)));
      });
      ws.once('error', reject);
    });
  }

  async next(type: string, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f) => f.type === type);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error(`no ${type} frame in ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close();
    return this.closed.then(() => undefined);
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
