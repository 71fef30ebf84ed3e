import { type BoardSimulator, type LockBoardDriver, SIM_PORT } from '@locker/lockboard';
import { BoxNo, LockerError, parseOrThrow } from '@locker/protocol';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { BoxRecord, BoxStateMachine } from '../boxes/box-state-machine.js';

export interface SimulatorRoutesOptions {
  simulator: BoardSimulator;
  boxes: BoxStateMachine;
}

const Params = z.object({ boxNo: BoxNo }).strict();
const DoorBody = z.object({ state: z.enum(['open', 'closed']) }).strict();
const OccupancyBody = z.object({ occupied: z.boolean() }).strict();
const JamBody = z
  .object({ jammed: z.boolean().default(true) })
  .strict()
  .default({ jammed: true });

/**
 * The simulated hardware, for demos and the touchscreen tests: what a person's hands do to the cabinet
 * (close a door, put a parcel in, jam a lock). It changes the in-process board simulator only; the daemon
 * learns about it the way it learns about real doors, from the board's sensor readings.
 */
export const simulatorRoutes: FastifyPluginAsync<SimulatorRoutesOptions> = async (
  app,
  { simulator, boxes },
) => {
  const view = (b: BoxRecord) => {
    const s = simulator.state(b.board, b.lockNo);
    return {
      boxNo: b.boxNo,
      size: b.size,
      board: b.board,
      lock: b.lockNo,
      usage: b.usage,
      door: s.door,
      occupied: s.occupied,
      jammed: s.jammed,
    };
  };
  const target = (params: unknown): BoxRecord => {
    const { boxNo } = parseOrThrow(Params, params, 'BOX_NOT_FOUND', 'box number');
    const box = boxes.find(boxNo);
    if (!box) throw new LockerError('BOX_NOT_FOUND', `There is no box ${boxNo} in this cabinet.`);
    return box;
  };

  app.get('/api/simulator/boxes', async () => ({ boxes: boxes.list().map(view) }));
  app.get('/api/simulator/boxes/:boxNo', async (req) => view(target(req.params)));
  app.post('/api/simulator/boxes/:boxNo/door', async (req) => {
    const box = target(req.params);
    const { state } = parseOrThrow(DoorBody, req.body, 'VALIDATION_FAILED', 'door');
    simulator.setDoor(box.board, box.lockNo, state);
    return view(box);
  });
  app.post('/api/simulator/boxes/:boxNo/occupancy', async (req) => {
    const box = target(req.params);
    const { occupied } = parseOrThrow(OccupancyBody, req.body, 'VALIDATION_FAILED', 'occupancy');
    simulator.setOccupied(box.board, box.lockNo, occupied);
    return view(box);
  });
  app.post('/api/simulator/boxes/:boxNo/jam', async (req) => {
    const box = target(req.params);
    const { jammed } = parseOrThrow(JamBody, req.body ?? undefined, 'VALIDATION_FAILED', 'jam');
    simulator.jam(box.board, box.lockNo, jammed);
    return view(box);
  });
};

/** Registers the simulator routes only when the lock bus is the in-process simulator (port 'sim:'). */
export function registerSimulatorRoutes(
  app: FastifyInstance,
  driver: LockBoardDriver,
  boxes: BoxStateMachine,
): void {
  if (!driver.simulator || driver.settings.port !== SIM_PORT) return;
  void app.register(simulatorRoutes, { simulator: driver.simulator, boxes });
}
