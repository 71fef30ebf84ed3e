import type { BusState, LockBoardDriver } from '@locker/lockboard';
import type { SensorGuard } from './sensor-guard.js';

/** Why the cabinet cannot serve everyone right now; each is also an active alarm. */
export type DegradedReason = 'bus_down' | 'sensor_fault' | 'board_unreachable';

export interface LockHealth {
  status: 'ok' | 'degraded';
  reasons: DegradedReason[];
  bus: {
    state: BusState;
    port: string;
    downSince: string | null;
    reconnects: number;
    unreachableBoards: number[];
  };
}

/**
 * What /health reports about the doors: `degraded`, with the reasons, while the serial port is down,
 * the sensor fail-safe has tripped, or a board does not answer (its boxes are not offered).
 */
export function lockHealth(driver: LockBoardDriver, guard: SensorGuard): LockHealth {
  const h = driver.health;
  const reasons: DegradedReason[] = [];
  if (h.state !== 'up') reasons.push('bus_down');
  if (guard.tripped) reasons.push('sensor_fault');
  if (h.unreachable.length > 0) reasons.push('board_unreachable');
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    reasons,
    bus: {
      state: h.state,
      port: driver.settings.port,
      downSince: h.downSince,
      reconnects: h.reconnects,
      unreachableBoards: h.unreachable,
    },
  };
}
