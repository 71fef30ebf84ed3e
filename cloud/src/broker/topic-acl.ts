import { TOPIC_ROOT } from '@locker/protocol';

/** Who a broker connection is, once authenticated. */
export type BrokerPrincipal =
  | { role: 'service'; username: string }
  | { role: 'cabinet'; username: string; cabinetId: string; boxes: ReadonlySet<string> }
  | { role: 'operator' | 'admin'; username: string }
  | { role: 'viewer'; username: string };

/** Under its own root, what a cabinet may publish: its reports, never commands or acks. */
const CABINET_PUBLISH = [
  /^status$/,
  /^boxes\/[0-9]{2,4}$/,
  /^events$/,
  /^response\/[a-z_]{1,40}$/,
  /^desired\/get$/,
];

function ownSuffix(cabinetId: string, topic: string): string | null {
  const prefix = `${TOPIC_ROOT}/${cabinetId}/`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : null;
}

/**
 * The topic ACL, the same rules the Mosquitto ACL file in deploy/ encodes (ADR 0004):
 * a cabinet lives only under `lockers/{its id}/` and publishes only its real boxes; operators and
 * admins read everything and may send commands;
 * viewers only read; the cloud service may do anything.
 */
export function mayPublish(p: BrokerPrincipal, topic: string): boolean {
  if (topic.startsWith('$')) return false;
  switch (p.role) {
    case 'service':
      return true;
    case 'cabinet': {
      const rest = ownSuffix(p.cabinetId, topic);
      if (rest === null || !CABINET_PUBLISH.some((re) => re.test(rest))) return false;
      // Box topics are retained: only the cabinet's real boxes, or a stolen password fills the broker.
      return !rest.startsWith('boxes/') || p.boxes.has(rest.slice('boxes/'.length));
    }
    case 'operator':
    case 'admin':
      return /^lockers\/[A-Za-z0-9_-]{1,64}\/request\/[a-z_]{1,40}$/.test(topic);
    case 'viewer':
      return false;
  }
}

/** The client id a cabinet must connect with (the edge daemon uses exactly this). */
export const cabinetClientId = (cabinetId: string): string => `cabinet-${cabinetId}`;
const CABINET_CLIENT_PREFIX = 'cabinet-';
const SERVICE_CLIENT_PREFIX = 'locker-cloud-';

/**
 * Client ids are bound to accounts (defect 3 of issue 13): MQTT lets a new connection with a taken
 * client id push the old one off and fire its will, so a stolen password of one cabinet must not
 * let it take another cabinet's id. A cabinet connects only as `cabinet-{its id}`; the `cabinet-`
 * and `locker-cloud-` namespaces belong to cabinets and the cloud service alone.
 */
export function mayUseClientId(p: BrokerPrincipal, clientId: string): boolean {
  switch (p.role) {
    case 'cabinet':
      return clientId === cabinetClientId(p.cabinetId);
    case 'service':
      return !clientId.startsWith(CABINET_CLIENT_PREFIX);
    default:
      return !clientId.startsWith(CABINET_CLIENT_PREFIX) && !clientId.startsWith(SERVICE_CLIENT_PREFIX);
  }
}

export function maySubscribe(p: BrokerPrincipal, filter: string): boolean {
  if (p.role === 'service') return true;
  if (filter.startsWith('$')) return false;
  if (p.role === 'cabinet') {
    const rest = ownSuffix(p.cabinetId, filter);
    return rest !== null && rest.length > 0;
  }
  // operators and viewers: anything under the fleet root
  return filter === `${TOPIC_ROOT}/#` || filter.startsWith(`${TOPIC_ROOT}/`);
}
