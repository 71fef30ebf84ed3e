import type { LockBoardDriver } from '@locker/lockboard';
import { BoxUsage } from '@locker/protocol';
import { Gauge, Registry } from 'prom-client';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { Outbox } from '../store/outbox.js';

export interface MetricSources {
  boxes: BoxStateMachine;
  outbox: Outbox;
  alarms: AlarmKeeper;
  driver: LockBoardDriver;
}

/** The cabinet's Prometheus metrics, read from the store at scrape time (one registry per daemon). */
export function createMetrics(src: MetricSources): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'locker_edge_boxes',
    help: 'Boxes by usage',
    labelNames: ['usage'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(BoxUsage.options.map((u) => [u, 0]));
      for (const b of src.boxes.list()) counts.set(b.usage, (counts.get(b.usage) ?? 0) + 1);
      for (const [usage, n] of counts) this.set({ usage }, n);
    },
  });
  new Gauge({
    name: 'locker_edge_doors_open',
    help: 'Doors the sensors show open',
    registers: [registry],
    collect() {
      this.set(src.boxes.list().filter((b) => b.door === 'open').length);
    },
  });
  new Gauge({
    name: 'locker_edge_outbox_depth',
    help: 'Events waiting for the cloud acknowledgement',
    registers: [registry],
    collect() {
      this.set(src.outbox.depth());
    },
  });
  new Gauge({
    name: 'locker_edge_alarms_active',
    help: 'Active alarms by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const a of src.alarms.active()) this.inc({ kind: a.kind });
    },
  });
  new Gauge({
    name: 'locker_edge_serial_errors',
    help: 'Serial bus errors since start, by kind (counters read from the driver)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = src.driver.stats;
      this.set({ kind: 'timeout' }, s?.timeouts ?? 0);
      this.set({ kind: 'bad_frame' }, s?.badFrames ?? 0);
      this.set({ kind: 'unsolicited' }, s?.unsolicited ?? 0);
    },
  });
  new Gauge({
    name: 'locker_edge_serial_transactions',
    help: 'Serial transactions since start',
    registers: [registry],
    collect() {
      this.set(src.driver.stats?.transactions ?? 0);
    },
  });
  new Gauge({
    name: 'locker_edge_serial_bus_up',
    help: 'Whether the serial port is open and serving (0 while it is down and being reopened)',
    registers: [registry],
    collect() {
      this.set(src.driver.busState === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'locker_edge_serial_reconnects',
    help: 'Times the serial port was reopened after it was lost, since start',
    registers: [registry],
    collect() {
      this.set(src.driver.health.reconnects);
    },
  });
  new Gauge({
    name: 'locker_edge_boards_unreachable',
    help: 'Lock boards that do not answer (their boxes are not offered)',
    registers: [registry],
    collect() {
      this.set(src.driver.health.unreachable.length);
    },
  });
  return registry;
}
