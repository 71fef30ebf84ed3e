import { z } from 'zod';
import { BoxState } from './box.js';
import { CommandRequest, CommandResponse, commandParams, OpenBoxResult } from './commands.js';
import { DesiredRequest, DesiredState } from './desired.js';
import { CabinetEvent, EventAck } from './events.js';
import { CabinetStatus } from './status.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const cabinetParam = {
  cabinetId: { description: 'The cabinet id (the site number, e.g. 610091A01); also its broker username.' },
};

interface ChannelSpec {
  address: string;
  title: string;
  description: string;
  payload: z.ZodType;
  direction: 'send' | 'receive';
  /** Whom the operation belongs to: the cloud's view (send = cloud publishes). */
  extra?: Record<string, unknown>;
  params?: Record<string, { description: string }>;
}

/**
 * The MQTT contract as an AsyncAPI 3.0 document, built from the same zod schemas the code validates
 * with, so the document cannot drift from the code. Operations are written from the cloud's side.
 */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const channels: Record<string, ChannelSpec> = {
    status: {
      address: 'lockers/{cabinetId}/status',
      title: 'Cabinet status (retained)',
      description:
        'Retained. `online` on every connect, `offline`/`stopped` before a clean stop, `offline`/`lost` as the will message. QoS 1.',
      payload: CabinetStatus,
      direction: 'receive',
    },
    box: {
      address: 'lockers/{cabinetId}/boxes/{boxNo}',
      title: 'Box state (retained)',
      description: 'Retained per box; published on every change and republished on every reconnect. QoS 1.',
      payload: BoxState,
      direction: 'receive',
      params: { boxNo: { description: 'Door label, 2 to 4 digits (`01`).' } },
    },
    events: {
      address: 'lockers/{cabinetId}/events',
      title: 'Cabinet events',
      description:
        'One event per message from the cabinet outbox, QoS 1, at least once: unique `id`, per-cabinet monotonic `seq`. Re-sent until acknowledged on `events/ack`.',
      payload: CabinetEvent,
      direction: 'receive',
    },
    eventsAck: {
      address: 'lockers/{cabinetId}/events/ack',
      title: 'Application acknowledgement of events',
      description: 'The cloud names the event ids it has stored; only those leave the cabinet outbox. QoS 1.',
      payload: EventAck,
      direction: 'send',
    },
    request: {
      address: 'lockers/{cabinetId}/request/{op}',
      title: 'Command to a cabinet',
      description: `Ops: ${Object.keys(commandParams).join(', ')}. \`params\` by op: ${Object.entries(
        commandParams,
      )
        .map(([op, s]) => `${op} ${JSON.stringify(schema(s))}`)
        .join(
          '; ',
        )}. Executed once per transaction; refused after \`expiresAt\`. Operators may publish here.`,
      payload: CommandRequest,
      direction: 'send',
      params: { op: { description: `One of ${Object.keys(commandParams).join(', ')}.` } },
    },
    response: {
      address: 'lockers/{cabinetId}/response/{op}',
      title: 'Answer to a command',
      description: `Correlated by \`transaction\` (MQTT 3.1.1 has no response topics). open_box data: ${JSON.stringify(schema(OpenBoxResult))}.`,
      payload: CommandResponse,
      direction: 'receive',
      params: { op: { description: 'The op of the request.' } },
    },
    desired: {
      address: 'lockers/{cabinetId}/desired',
      title: 'Desired state for the cabinet',
      description:
        'Versioned snapshot or delta of courier credentials, grants and box settings the cabinet needs offline. Stale versions and deltas on another base are ignored. QoS 1.',
      payload: DesiredState,
      direction: 'send',
    },
    desiredGet: {
      address: 'lockers/{cabinetId}/desired/get',
      title: 'Cabinet asks for desired state',
      description:
        'On every (re)connect, with the version the cabinet applied; answered on `desired`. QoS 1.',
      payload: DesiredRequest,
      direction: 'receive',
    },
  };

  const doc: Record<string, unknown> = {
    asyncapi: '3.0.0',
    info: {
      title: 'Locker platform MQTT contract',
      version,
      description:
        'Cabinets (edge) and the cloud talk over MQTT 3.1.1. Every cabinet has its own broker account and may only publish its reports under its own root and read its own root; operators read everything and may publish commands. Payloads are UTF-8 JSON. Generated from @locker/protocol; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      embedded: {
        host: 'localhost:1883',
        protocol: 'mqtt',
        description: "The cloud's embedded aedes broker.",
      },
    },
    channels: Object.fromEntries(
      Object.entries(channels).map(([id, c]) => [
        id,
        {
          address: c.address,
          title: c.title,
          description: c.description,
          parameters: { ...cabinetParam, ...(c.params ?? {}) },
          messages: { [id]: { name: id, payload: schema(c.payload) } },
        },
      ]),
    ),
    operations: Object.fromEntries(
      Object.entries(channels).map(([id, c]) => [
        `${c.direction}${id[0]?.toUpperCase()}${id.slice(1)}`,
        { action: c.direction, channel: { $ref: `#/channels/${id}` } },
      ]),
    ),
  };
  return doc;
}
