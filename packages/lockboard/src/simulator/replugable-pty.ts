import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { familyInfo } from '../settings.js';
import { type AttachedSimulator, attachSimulatorToPort } from './attach-port.js';
import type { BoardSimulator } from './board-simulator.js';
import { openPtyPair, type PtyPair } from './socat.js';

export interface ReplugableBus {
  /** A fixed path (a symlink), as a udev rule gives a USB adapter: the same after every replug. */
  readonly hostPath: string;
  /** Kills socat: the host's port vanishes mid-use, as when the cable is pulled. */
  unplug(): Promise<void>;
  /** Makes the pair again at the same paths and puts the simulator back on its end. */
  replug(): Promise<void>;
  close(): Promise<void>;
}

/** A simulated bus on a socat pty pair that a test can unplug and plug back in. */
export async function replugableSimulatorOnPty(
  sim: BoardSimulator,
  baudRate?: number,
): Promise<ReplugableBus> {
  const dir = await mkdtemp(join(tmpdir(), 'lockboard-pty-'));
  const links = { host: join(dir, 'host'), board: join(dir, 'board') };
  const baud = baudRate ?? familyInfo(sim.family).defaultBaud;
  let pair: PtyPair | undefined;
  let attached: AttachedSimulator | undefined;
  const plug = async () => {
    pair = await openPtyPair({ links });
    attached = await attachSimulatorToPort(sim, links.board, baud);
  };
  const unplug = async () => {
    await pair?.kill();
    pair = undefined;
    await attached?.close();
    attached = undefined;
  };
  await plug();
  return {
    hostPath: links.host,
    unplug,
    replug: plug,
    close: async () => {
      await attached?.close();
      await pair?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
