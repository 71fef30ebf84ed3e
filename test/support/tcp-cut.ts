import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder between a daemon and its broker that a test can cut and restore, so a cabinet
 * goes offline and back without restarting anything. While cut, open connections are dropped and
 * new ones are closed at once (the daemon keeps retrying, as it would on a dead uplink).
 */
export class TcpCut {
  private open = true;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async forward(target: string): Promise<TcpCut> {
    const url = new URL(target);
    const holder: { cut?: TcpCut } = {};
    const server = createServer((client) => {
      const cut = holder.cut;
      if (!cut?.open) return client.destroy();
      const upstream = createConnection({ host: url.hostname, port: Number(url.port) });
      for (const s of [client, upstream]) {
        cut.sockets.add(s);
        s.on('close', () => cut.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    holder.cut = new TcpCut(server, address.port);
    return holder.cut;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
