import { familyInfo } from '../settings.js';
import { attachSimulatorToPort } from './attach-port.js';
import type { BoardSimulator } from './board-simulator.js';
import { openPtyPair } from './socat.js';

export interface SimulatedBus {
  /** The serial device the host under test opens, exactly as it would open /dev/ttyUSB0. */
  readonly hostPath: string;
  /** Detaches the simulator and removes the pseudo-terminal pair. */
  close(): Promise<void>;
}

/**
 * A simulated bus behind a real serial device: a socat pseudo-terminal pair with the simulator on one
 * end, so the host uses the real serialport stack. The simulator outlives the host, which lets a test
 * kill the host mid-transaction. Baud: the family's default unless given.
 */
export async function simulatorOnPty(sim: BoardSimulator, baudRate?: number): Promise<SimulatedBus> {
  const pair = await openPtyPair();
  try {
    const attached = await attachSimulatorToPort(
      sim,
      pair.board,
      baudRate ?? familyInfo(sim.family).defaultBaud,
    );
    return {
      hostPath: pair.host,
      close: async () => {
        await attached.close();
        await pair.close();
      },
    };
  } catch (err) {
    await pair.close();
    throw err;
  }
}
