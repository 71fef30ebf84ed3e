import {
  CabinetStatus,
  DesiredState,
  decodePayload,
  EventAck,
  parseTopic,
  settleWithin,
  topics,
} from '@locker/protocol';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import { publicState } from '../boxes/box-state-machine.js';
import type { EdgeConfig } from '../config.js';
import type { DesiredStateApplier } from '../desired/desired-state.js';
import type { EdgeEventBus } from '../event-bus.js';
import type { Outbox } from '../store/outbox.js';
import type { CommandHandler } from './command-handler.js';

export interface CloudLinkDeps {
  cabinetId: string;
  broker: NonNullable<EdgeConfig['broker']>;
  boxes: BoxStateMachine;
  outbox: Outbox;
  commands: CommandHandler;
  bus: EdgeEventBus;
  desired: DesiredStateApplier;
  logger: Logger;
  software: string;
}

const BATCH = 50;

function statusPayload(
  state: 'online' | 'offline',
  reason: 'started' | 'stopped' | 'lost',
  software: string,
) {
  const s: CabinetStatus = { state, at: new Date().toISOString(), reason, software };
  return JSON.stringify(CabinetStatus.parse(s));
}

/**
 * The cabinet's connection to the cloud. Never blocks the cabinet: start() returns at once and the
 * link keeps trying in the background. On every (re)connect it says `online`, republishes every box
 * (a broker may have lost retained messages) and sends the outbox again from the oldest unacked event.
 */
export class CloudLink {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly deps: CloudLinkDeps) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { cabinetId, broker, logger } = this.deps;
    // Loaded here, not at the top: the MQTT client is about a third of the daemon's import time, and the
    // link starts last, so the kiosk is already serving while it loads (and an offline cabinet never does).
    const { default: mqtt } = await import('mqtt');
    const client = mqtt.connect(broker.url, {
      clientId: `cabinet-${cabinetId}`,
      username: broker.username ?? cabinetId,
      password: broker.password,
      protocolVersion: 4,
      clean: true,
      keepalive: broker.keepaliveSec,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // QoS 0 is never queued while offline; QoS 1 is, but the outbox is the real queue.
      queueQoSZero: false,
      will: {
        topic: topics.status(cabinetId),
        payload: Buffer.from(statusPayload('offline', 'lost', this.deps.software)),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on('connect', () => {
      void this.onConnect().catch((err: unknown) => logger.warn({ err }, 'connect routine failed'));
    });
    client.on('close', () => {
      if (this.deps.bus) this.deps.bus.emit('linkChanged', { connected: false });
    });
    client.on('error', (err) => logger.warn({ reason: err.message }, 'broker connection error'));
    client.on('message', (topic, payload) => {
      void this.onMessage(topic, payload);
    });
    this.offs.push(
      this.deps.bus.on('boxChanged', (box) => {
        if (this.connected) {
          client.publish(topics.box(cabinetId, box.boxNo), JSON.stringify(box), { qos: 1, retain: true });
        }
      }),
      this.deps.outbox.onAppend(() => void this.flush()),
    );
    this.timer = setInterval(() => void this.flush(), Math.max(100, Math.floor(broker.resendAfterMs / 2)));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const sent = await settleWithin(
        client
          .publishAsync(
            topics.status(this.deps.cabinetId),
            statusPayload('offline', 'stopped', this.deps.software),
            { qos: 1, retain: true },
          )
          .then(() => 'ok' as const),
        STOP_STEP_MS,
      ).catch((err: unknown) => {
        this.deps.logger.warn({ err }, 'could not publish offline status');
        return 'failed' as const;
      });
      // A broker that went away mid-stop never acknowledges: its will message says offline instead.
      if (sent === 'timeout')
        this.deps.logger.warn('offline status not acknowledged in time; stopping anyway');
    }
    // A clean end waits for messages in flight, which a gone broker never takes: then end at once.
    if ((await settleWithin(client.endAsync(), STOP_STEP_MS)) === 'timeout') await client.endAsync(true);
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { cabinetId, logger } = this.deps;
    logger.info('connected to broker');
    await client.subscribeAsync(
      [topics.request(cabinetId, '+'), topics.eventsAck(cabinetId), topics.desired(cabinetId)],
      { qos: 1 },
    );
    await this.askForDesired();
    await client.publishAsync(
      topics.status(cabinetId),
      statusPayload('online', 'started', this.deps.software),
      {
        qos: 1,
        retain: true,
      },
    );
    for (const box of this.deps.boxes.list()) {
      client.publish(topics.box(cabinetId, box.boxNo), JSON.stringify(publicState(box)), {
        qos: 1,
        retain: true,
      });
    }
    this.deps.outbox.resetSent();
    this.deps.bus.emit('linkChanged', { connected: true });
    await this.flush();
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const where = parseTopic(topic);
    const { logger, cabinetId } = this.deps;
    if (!where || where.cabinetId !== cabinetId) return;
    if (where.kind === 'eventsAck') {
      try {
        const ack = decodePayload(EventAck, payload);
        this.deps.outbox.ack(ack.ids);
        await this.flush();
      } catch (err) {
        logger.warn({ reason: (err as Error).message }, 'bad event ack dropped');
      }
      return;
    }
    if (where.kind === 'desired') {
      try {
        const outcome = this.deps.desired.apply(decodePayload(DesiredState, payload));
        // A delta that does not follow what we hold: ask again from our version.
        if (!outcome.applied && outcome.reason === 'gap') await this.askForDesired();
      } catch (err) {
        logger.warn({ reason: (err as Error).message }, 'bad desired state dropped');
      }
      return;
    }
    if (where.kind === 'request') {
      const response = await this.deps.commands.handle(where.op, payload);
      if (response && this.client?.connected) {
        await this.client.publishAsync(topics.response(cabinetId, where.op), JSON.stringify(response), {
          qos: 1,
        });
      }
    }
  }

  /** Asks the cloud for the desired state since the version this cabinet applied. */
  private async askForDesired(): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    const body = JSON.stringify({ appliedVersion: this.deps.desired.appliedVersion() });
    await client.publishAsync(topics.desiredGet(this.deps.cabinetId), body, { qos: 1 });
  }

  /** Sends due outbox events in seq order; one flush at a time. */
  async flush(): Promise<void> {
    const client = this.client;
    if (!client?.connected || this.flushing) return;
    this.flushing = true;
    try {
      const resendBefore = new Date(Date.now() - this.deps.broker.resendAfterMs).toISOString();
      const due = this.deps.outbox.due(BATCH, resendBefore);
      if (due.length === 0) return;
      const topic = topics.events(this.deps.cabinetId);
      for (const ev of due) client.publish(topic, JSON.stringify(ev), { qos: 1 });
      this.deps.outbox.markSent(due.map((e) => e.id));
    } finally {
      this.flushing = false;
    }
  }
}

/** Each step of a stop waits at most this long on the broker, so a stop ends with the network gone. */
const STOP_STEP_MS = 2000;
