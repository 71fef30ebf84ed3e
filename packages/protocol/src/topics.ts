import { BoxNo, CabinetId } from './ids.js';

/** Every cabinet lives under its own root; broker ACLs are written against this prefix. */
export const TOPIC_ROOT = 'lockers';

export const topics = {
  root: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}`,
  /** Everything a cabinet may touch: used by ACLs. */
  subtree: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/#`,
  status: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/status`,
  box: (cabinetId: string, boxNo: string) => `${TOPIC_ROOT}/${cabinetId}/boxes/${boxNo}`,
  events: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/events`,
  eventsAck: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/events/ack`,
  request: (cabinetId: string, op: string) => `${TOPIC_ROOT}/${cabinetId}/request/${op}`,
  response: (cabinetId: string, op: string) => `${TOPIC_ROOT}/${cabinetId}/response/${op}`,
  /** cloud -> edge: the desired-state document (snapshot or delta). */
  desired: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/desired`,
  /** edge -> cloud: "send me the desired state since this version". */
  desiredGet: (cabinetId: string) => `${TOPIC_ROOT}/${cabinetId}/desired/get`,
  /** Wildcards the cloud subscribes to for the whole fleet. */
  fleet: {
    status: `${TOPIC_ROOT}/+/status`,
    boxes: `${TOPIC_ROOT}/+/boxes/+`,
    events: `${TOPIC_ROOT}/+/events`,
    responses: `${TOPIC_ROOT}/+/response/+`,
    desiredGet: `${TOPIC_ROOT}/+/desired/get`,
    /** Commands operators send straight to cabinets: the cloud records them (audit, ADR 0010). */
    requests: `${TOPIC_ROOT}/+/request/+`,
  },
} as const;

export type ParsedTopic =
  | { kind: 'status'; cabinetId: string }
  | { kind: 'box'; cabinetId: string; boxNo: string }
  | { kind: 'events'; cabinetId: string }
  | { kind: 'eventsAck'; cabinetId: string }
  | { kind: 'request'; cabinetId: string; op: string }
  | { kind: 'response'; cabinetId: string; op: string }
  | { kind: 'desired'; cabinetId: string }
  | { kind: 'desiredGet'; cabinetId: string };

/** Reads a topic back into its parts; `null` for anything outside the contract. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT || parts.length < 3) return null;
  const cabinetId = parts[1] ?? '';
  if (!CabinetId.safeParse(cabinetId).success) return null;
  const [, , a, b, c] = parts;
  if (parts.length === 3 && a === 'status') return { kind: 'status', cabinetId };
  if (parts.length === 3 && a === 'events') return { kind: 'events', cabinetId };
  if (parts.length === 3 && a === 'desired') return { kind: 'desired', cabinetId };
  if (parts.length === 4 && a === 'desired' && b === 'get') return { kind: 'desiredGet', cabinetId };
  if (parts.length === 4 && a === 'events' && b === 'ack') return { kind: 'eventsAck', cabinetId };
  if (parts.length === 4 && a === 'boxes' && b !== undefined && BoxNo.safeParse(b).success) {
    return { kind: 'box', cabinetId, boxNo: b };
  }
  if (parts.length === 4 && a === 'request' && b) return { kind: 'request', cabinetId, op: b };
  if (parts.length === 4 && a === 'response' && b) return { kind: 'response', cabinetId, op: b };
  void c;
  return null;
}
