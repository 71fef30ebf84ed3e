import { SerialPort } from 'serialport';
import type { BoardSimulator } from './board-simulator.js';

export interface AttachedSimulator {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Runs a simulator behind a real serial device (one end of a socat pty pair, or a USB adapter wired to
 * the host under test), through the real serialport stack.
 */
export async function attachSimulatorToPort(
  sim: BoardSimulator,
  path: string,
  baudRate: number,
): Promise<AttachedSimulator> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => sim.receive(chunk));
  // A host that goes away mid-write is not the simulator's problem; keep running.
  port.on('error', () => {});
  const unsubscribe = sim.onTransmit((bytes) => {
    if (port.isOpen) port.write(bytes);
  });
  return {
    path,
    close: async () => {
      unsubscribe();
      sim.stop();
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
