import { randomUUID } from 'node:crypto';
import {
  BoxState,
  CabinetEvent,
  CabinetStatus,
  type CommandOp,
  CommandResponse,
  commandParams,
  DesiredRequest,
  type DesiredState,
  decodePayload,
  type ErrorCode,
  errorStatus,
  LockerError,
  parseOrThrow,
  parseTopic,
  settleWithin,
  TypedEmitter,
  topics,
} from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { type BrokerLimits, PublishRateLimiter, payloadLimit } from '../broker/broker-limits.js';
import type { AuditLog } from '../operators/audit-log.js';
import type { CabinetRepository } from './cabinet-repository.js';
import type { CommandLog } from './command-log.js';
import { OperatorCommands } from './operator-commands.js';

export interface FleetLinkOptions {
  /** A function when the URL is known only once the embedded broker has its port. */
  url: string | (() => string);
  username: string;
  password: string;
  commandTimeoutMs: number;
  /** The cloud defends itself with the same limits, whatever broker it is on (Mosquitto has no rates). */
  limits: Pick<BrokerLimits, 'messagesPerSecond' | 'burst'>;
  cabinets: CabinetRepository;
  commands: CommandLog;
  /** Where commands that operators send straight over MQTT are recorded (issue 13). */
  audit?: AuditLog;
  logger: Logger;
}

export type FleetEvents = {
  /** A cabinet event applied for the first time (never for a redelivered duplicate). */
  event: CabinetEvent;
  status: { cabinetId: string; state: 'online' | 'offline' };
  box: { cabinetId: string; box: BoxState };
  /** A cabinet asked for the desired state since the version it applied. */
  desiredGet: { cabinetId: string; appliedVersion: number };
};

interface Pending {
  /** Whom the command went to: only that cabinet's answer, on that op's topic, settles it. */
  cabinetId: string;
  op: CommandOp;
  resolve: (data: unknown) => void;
  reject: (err: LockerError) => void;
  timer: NodeJS.Timeout;
}

/**
 * The cloud's side of the MQTT contract: follows every cabinet's status and boxes, applies their
 * events exactly once and acknowledges them, and sends commands with a correlated response.
 */
export class FleetLink extends TypedEmitter<FleetEvents> {
  private client: MqttClient | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Commands operators send straight over MQTT (command log and audit). */
  private readonly operatorCommands: OperatorCommands;
  /** Serialises message handling so events of one cabinet are applied in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private readonly rates = new Map<string, PublishRateLimiter>();
  /** Messages dropped per cabinet because it went over its rate (for the log, once per second). */
  private readonly dropped = new Map<string, number>();

  constructor(private readonly opts: FleetLinkOptions) {
    super();
    this.operatorCommands = new OperatorCommands(opts.commands, opts.audit);
  }

  async start(): Promise<void> {
    const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
    const client = await mqtt.connectAsync(url, {
      username: this.opts.username,
      password: this.opts.password,
      clientId: `locker-cloud-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      if (!this.admit(topic, payload)) return;
      this.queue = this.queue.then(() => this.handle(topic, payload)).catch(() => undefined);
    });
    client.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'mqtt error'));
    client.on('reconnect', () => this.opts.logger.info('mqtt reconnecting'));
    const { fleet } = topics;
    const wildcards = [fleet.status, fleet.boxes, fleet.events, fleet.responses, fleet.desiredGet];
    await client.subscribeAsync([...wildcards, fleet.requests], { qos: 1 });
    this.opts.logger.info({ url }, 'fleet link connected');
  }

  async stop(): Promise<void> {
    for (const [tx, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new LockerError('CABINET_OFFLINE', 'cloud is stopping'));
      this.pending.delete(tx);
    }
    const client = this.client;
    this.client = undefined;
    // A clean end waits for messages in flight, which a broker that is gone never takes.
    if (client && (await settleWithin(client.endAsync(), 2000)) === 'timeout') await client.endAsync(true);
    await this.queue;
  }

  /**
   * The cloud's own limits, checked before a message is queued or parsed: the payload limit of its
   * topic, and a rate per cabinet. What is dropped here is safe to drop: an event is not acked, so
   * the cabinet sends it again later; a box state is republished on the next change or reconnect.
   */
  private admit(topic: string, payload: Buffer): boolean {
    const where = parseTopic(topic);
    if (!where) return false;
    const limit = payloadLimit(topic) ?? 0;
    if (payload.length > limit) {
      this.opts.logger.warn(
        { cabinetId: where.cabinetId, topic, bytes: payload.length, limit },
        'message dropped: payload over the topic limit',
      );
      return false;
    }
    // Only what cabinets send counts against their rate (requests are operators', acks the cloud's).
    if (where.kind === 'request' || where.kind === 'eventsAck' || where.kind === 'desired') return true;
    let limiter = this.rates.get(where.cabinetId);
    if (!limiter) {
      limiter = new PublishRateLimiter(this.opts.limits.messagesPerSecond, this.opts.limits.burst);
      this.rates.set(where.cabinetId, limiter);
    }
    if (limiter.reserve() === 0) return true;
    limiter.release();
    const n = (this.dropped.get(where.cabinetId) ?? 0) + 1;
    this.dropped.set(where.cabinetId, n);
    if (n === 1) {
      setTimeout(() => {
        const count = this.dropped.get(where.cabinetId) ?? 0;
        this.dropped.delete(where.cabinetId);
        this.opts.logger.warn(
          { cabinetId: where.cabinetId, dropped: count },
          'cabinet over its message rate',
        );
      }, 1000).unref();
    }
    return false;
  }

  /** Waits until every message received so far has been handled (tests, clean stop). */
  async settle(): Promise<void> {
    await this.queue;
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const where = parseTopic(topic);
    if (!where) return;
    const log = this.opts.logger.child({ cabinetId: where.cabinetId, topic });
    try {
      const cabinet = await this.opts.cabinets.find(where.cabinetId);
      if (!cabinet) {
        log.warn('message from an unknown cabinet dropped');
        return;
      }
      switch (where.kind) {
        case 'status': {
          // An empty retained payload clears the topic; it is not a status.
          if (payload.length === 0) return;
          const s = decodePayload(CabinetStatus, payload);
          await this.opts.cabinets.setStatus(where.cabinetId, s.state, s.at);
          this.emit('status', { cabinetId: where.cabinetId, state: s.state });
          return;
        }
        case 'box': {
          if (payload.length === 0) return;
          if (!cabinet.boxes.includes(where.boxNo)) {
            throw new LockerError('BOX_NOT_FOUND', `cabinet has no box ${where.boxNo}`);
          }
          const box = decodePayload(BoxState, payload);
          if (box.boxNo !== where.boxNo) throw new LockerError('PAYLOAD_INVALID', 'boxNo differs from topic');
          await this.opts.cabinets.upsertBox(where.cabinetId, box);
          this.emit('box', { cabinetId: where.cabinetId, box });
          return;
        }
        case 'events': {
          const ev = decodePayload(CabinetEvent, payload);
          if (ev.cabinetId !== where.cabinetId) {
            throw new LockerError('PAYLOAD_INVALID', 'event cabinetId differs from topic');
          }
          const fresh = await this.opts.cabinets.recordEvent(ev);
          if (fresh) this.emit('event', ev);
          const cab = await this.opts.cabinets.get(where.cabinetId);
          await this.client?.publishAsync(
            topics.eventsAck(where.cabinetId),
            JSON.stringify({ ids: [ev.id], appliedSeq: cab.appliedSeq }),
            { qos: 1 },
          );
          return;
        }
        case 'response': {
          const res = decodePayload(CommandResponse, payload);
          const p = this.pending.get(res.transaction);
          if (!p) return this.operatorCommands.settle(where.cabinetId, where.op, res);
          // A transaction id is no secret (the cabinet saw it); a response under another cabinet's
          // root is that cabinet's word, never an answer to ours, so it settles nothing.
          if (p.cabinetId !== where.cabinetId || p.op !== where.op) {
            log.warn(
              { transaction: res.transaction, sentTo: p.cabinetId, op: p.op },
              'response for a command sent elsewhere dropped',
            );
            return;
          }
          this.pending.delete(res.transaction);
          clearTimeout(p.timer);
          if (res.status === 'ok') {
            await this.opts.commands.finished(res.transaction, 'ok', res.data);
            p.resolve(res.data);
          } else {
            await this.opts.commands.finished(res.transaction, 'error', res.error);
            const code = (res.error.code in errorStatus ? res.error.code : 'INTERNAL') as ErrorCode;
            p.reject(new LockerError(code, res.error.message));
          }
          return;
        }
        case 'request': {
          await this.operatorCommands.record(where.cabinetId, where.op, payload);
          return;
        }
        case 'desiredGet': {
          const req = decodePayload(DesiredRequest, payload);
          this.emit('desiredGet', { cabinetId: where.cabinetId, appliedVersion: req.appliedVersion });
          return;
        }
        default:
          return;
      }
    } catch (err) {
      // Bad input from the network is logged and dropped; the link keeps running.
      if (err instanceof LockerError) log.warn({ code: err.code, reason: err.message }, 'message dropped');
      else log.error({ err }, 'message handling failed');
    }
  }

  /** Sends a desired-state document to one cabinet (QoS 1, not retained: the cabinet asks on connect). */
  async publishDesired(cabinetId: string, doc: DesiredState): Promise<void> {
    const client = this.client;
    if (!client) throw new LockerError('CABINET_OFFLINE', 'cloud is not connected to the broker');
    await client.publishAsync(topics.desired(cabinetId), JSON.stringify(doc), { qos: 1 });
  }

  /** Sends a command and waits for the cabinet's answer (or a COMMAND_TIMEOUT). */
  async sendCommand(
    cabinetId: string,
    op: CommandOp,
    params: unknown,
    requestedBy?: string,
    /** Told the transaction id once the command is logged, before it is sent (the audit keeps it). */
    onSent?: (transaction: string) => void,
  ): Promise<unknown> {
    const client = this.client;
    if (!client) throw new LockerError('CABINET_OFFLINE', 'cloud is not connected to the broker');
    const cabinet = await this.opts.cabinets.get(cabinetId);
    if (cabinet.status !== 'online') {
      throw new LockerError('CABINET_OFFLINE', `cabinet ${cabinetId} is ${cabinet.status}`);
    }
    const schema: z.ZodType<unknown> = commandParams[op];
    const checked = parseOrThrow(schema, params, 'VALIDATION_FAILED', `${op} params`);
    const transaction = randomUUID();
    const timeout = this.opts.commandTimeoutMs;
    await this.opts.commands.sent(transaction, cabinetId, op, checked, requestedBy);
    onSent?.(transaction);
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        void this.opts.commands.finished(transaction, 'timeout', null).catch(() => undefined);
        reject(
          new LockerError('COMMAND_TIMEOUT', `cabinet ${cabinetId} did not answer ${op} in ${timeout} ms`),
        );
      }, timeout);
      this.pending.set(transaction, { cabinetId, op, resolve, reject, timer });
    });
    await client.publishAsync(
      topics.request(cabinetId, op),
      JSON.stringify({
        transaction,
        params: checked,
        expiresAt: new Date(Date.now() + timeout).toISOString(),
        ...(requestedBy ? { requestedBy } : {}),
      }),
      { qos: 1 },
    );
    return answer;
  }
}
