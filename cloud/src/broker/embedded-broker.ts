import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { BrokerAccounts } from './broker-accounts.js';
import { type BrokerLimits, PublishRateLimiter, payloadLimit } from './broker-limits.js';
import { guardPacketSize } from './packet-size-guard.js';
import { stampRequester } from './requester-stamp.js';
import { type BrokerPrincipal, mayPublish, maySubscribe, mayUseClientId } from './topic-acl.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** MQTT over WebSocket on this port (path `/mqtt`), when set. */
  wsPort?: number | undefined;
  accounts: BrokerAccounts;
  limits: BrokerLimits;
  logger: Logger;
}

/** CONNACK return codes of MQTT 3.1.1: 2 identifier rejected, 4 bad username or password. */
function authError(message: string, returnCode: 2 | 4 = 4): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The default broker: aedes in the cloud process, listening on TCP. Same accounts and topic ACL as
 * the Mosquitto configuration in deploy/, so moving to an external broker changes no client.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private wsServer: WebSocketServer | undefined;
  private httpServer: HttpServer | undefined;
  private readonly principals = new WeakMap<Client, BrokerPrincipal>();
  private readonly rates = new WeakMap<Client, PublishRateLimiter>();
  /** Connected clients, so an account's live sessions can be ended when it is disabled or changed. */
  private readonly connected = new Set<Client>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  /** The WebSocket port actually bound (port 0 picks one), or undefined when WebSocket is off. */
  get wsPort(): number | undefined {
    return (this.httpServer?.address() as AddressInfo | null)?.port ?? this.opts.wsPort;
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        this.opts.accounts
          .authenticate(username ?? '', password?.toString('utf8') ?? '')
          .then((principal) => {
            if (!principal) {
              log.warn({ clientId: client.id, username }, 'broker login refused');
              done(authError('bad username or password'), false);
              return;
            }
            // Checked here, before aedes registers the client: a refused id never pushes its holder off.
            if (!mayUseClientId(principal, client.id)) {
              log.warn(
                { clientId: client.id, username },
                'broker login refused: client id not bound to account',
              );
              done(authError('client id is not bound to this account', 2), false);
              return;
            }
            this.principals.set(client, principal);
            done(null, true);
          })
          .catch((err: unknown) => {
            log.error({ err }, 'broker authentication failed');
            done(authError('authentication unavailable'), false);
          });
      },
      authorizePublish: (client, packet, callback) => {
        // client is null for messages the broker itself publishes
        if (!client) return callback(null);
        const p = this.principals.get(client);
        if (!p || !mayPublish(p, packet.topic)) {
          log.warn({ clientId: client.id, topic: packet.topic }, 'publish refused by ACL');
          return callback(new Error('publish not authorized'));
        }
        if (p.role === 'service') return callback(null);
        const limit = payloadLimit(packet.topic) ?? 0;
        if (packet.payload.length > limit) {
          log.warn(
            { clientId: client.id, topic: packet.topic, bytes: packet.payload.length, limit },
            'publish refused: payload over the topic limit',
          );
          return callback(new Error('payload too large'));
        }
        if ((p.role === 'operator' || p.role === 'admin') && packet.topic.includes('/request/')) {
          packet.payload = stampRequester(packet.payload as Buffer, p.username);
        }
        this.throttle(client, callback);
      },
      authorizeSubscribe: (client, sub, callback) => {
        const p = this.principals.get(client);
        if (p && maySubscribe(p, sub.topic)) return callback(null, sub);
        log.warn({ clientId: client.id, topic: sub.topic }, 'subscribe refused by ACL');
        // MQTT 3.1.1 answers a refused subscription with 0x80 in SUBACK, which aedes sends for null
        callback(null, null);
      },
    });
    this.aedes = aedes;
    aedes.on('clientReady', (client) => this.connected.add(client));
    aedes.on('clientDisconnect', (client) => this.connected.delete(client));
    const guard = (conn: Duplex) =>
      guardPacketSize(conn, this.opts.limits.maxPacketBytes, () =>
        log.warn({ limit: this.opts.limits.maxPacketBytes }, 'connection closed: packet over the size limit'),
      );
    const server = createServer({ noDelay: true }, (socket) => aedes.handle(guard(socket)));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (this.opts.wsPort !== undefined) {
      // Same broker, same accounts and ACL; only the transport differs.
      const http = createHttpServer((_req, res) => res.writeHead(426).end('MQTT over WebSocket only\n'));
      const wss = new WebSocketServer({ server: http, path: '/mqtt' });
      wss.on('connection', (socket, req) => aedes.handle(guard(createWebSocketStream(socket)), req));
      this.httpServer = http;
      this.wsServer = wss;
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.opts.wsPort, this.opts.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    }
    log.info(
      { host: this.opts.host, port: this.port, wsPort: this.wsPort },
      'embedded MQTT broker listening',
    );
  }

  /**
   * Spreads a client's publishes out at the configured rate: the answer to a publish over the rate
   * waits, and aedes reads nothing more from that socket meanwhile (backpressure). A client so far
   * ahead that it would wait longer than maxThrottleMs is disconnected.
   */
  private throttle(client: Client, callback: (err: Error | null) => void): void {
    const { messagesPerSecond, burst, maxThrottleMs } = this.opts.limits;
    let limiter = this.rates.get(client);
    if (!limiter) {
      limiter = new PublishRateLimiter(messagesPerSecond, burst);
      this.rates.set(client, limiter);
    }
    const wait = limiter.reserve();
    if (wait === 0) {
      callback(null);
      return;
    }
    if (wait > maxThrottleMs) {
      limiter.release();
      this.opts.logger.warn(
        { clientId: client.id, waitMs: wait },
        'connection closed: publish rate over the limit',
      );
      callback(new Error('publish rate over the limit'));
      return;
    }
    setTimeout(() => callback(null), wait);
  }

  /**
   * Closes every connection of one account: its ACL was worked out at connect, so a disabled or
   * demoted operator must connect again (and is refused, or gets the new role's rights).
   */
  disconnect(username: string): number {
    let closed = 0;
    for (const client of this.connected) {
      if (this.principals.get(client)?.username !== username) continue;
      this.opts.logger.info({ clientId: client.id, username }, 'broker session ended: account changed');
      client.close();
      this.connected.delete(client);
      closed++;
    }
    return closed;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    const wss = this.wsServer;
    const http = this.httpServer;
    this.server = undefined;
    this.aedes = undefined;
    this.wsServer = undefined;
    this.httpServer = undefined;
    if (wss) {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    if (http) await new Promise<void>((resolve) => http.close(() => resolve()));
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
