import { LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';

/** The alarm subject of the cabinet-wide sensor fault (one per cabinet). */
export const SENSOR_FAULT_SUBJECT = 'cabinet';

/** The most unlocks one flow session may have unconfirmed before it gives up (ADR 0008). */
export const MAX_UNCONFIRMED_PER_SESSION = 2;

export function sensorFaultError(): LockerError {
  return new LockerError(
    'SENSOR_FAULT',
    'This cabinet is out of order. Please call support; no door will be opened for now.',
  );
}

/**
 * The fail-safe on door sensing. An unlock whose door the sensor did not see open is either a jammed
 * door or a sensor that cannot be read right (a miswired board, a wrong feedback mode); one jam is
 * normal, K in a row across the cabinet is not. After K consecutive unconfirmed unlocks flows stop
 * unlocking and a `sensor_fault` alarm is raised; operators may still open doors, and the first unlock
 * the sensor confirms clears it. The tripped state is the active alarm, so a restart keeps it.
 */
export class SensorGuard {
  private consecutive = 0;

  constructor(
    private readonly alarms: AlarmKeeper,
    private readonly limit: number,
    private readonly logger: Logger,
  ) {}

  get tripped(): boolean {
    return this.alarms.isActive('sensor_fault', SENSOR_FAULT_SUBJECT);
  }

  /** Unconfirmed unlocks in a row since the last confirmed one. */
  get streak(): number {
    return this.consecutive;
  }

  /** Throws SENSOR_FAULT while tripped (called before a flow's unlock, so no frame goes out). */
  admit(): void {
    if (this.tripped) throw sensorFaultError();
  }

  /** Counts one unlock outcome; returns true when this outcome tripped the guard. */
  record(confirmed: boolean): boolean {
    if (confirmed) {
      this.consecutive = 0;
      if (this.alarms.clear('sensor_fault', SENSOR_FAULT_SUBJECT)) {
        this.logger.info('an unlock was confirmed by the sensor: flows may unlock again');
      }
      return false;
    }
    this.consecutive++;
    if (this.consecutive < this.limit) return false;
    return this.alarms.raise(
      'sensor_fault',
      SENSOR_FAULT_SUBJECT,
      `${this.consecutive} unlocks in a row were not seen open: door sensors not trusted, flows stopped`,
    );
  }
}
