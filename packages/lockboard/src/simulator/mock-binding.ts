import { SerialPortMock } from 'serialport';
import type { BindingInterface, OpenOptions, PortInfo } from '../transport/binding-types.js';
import type { BoardSimulator } from './board-simulator.js';

// @serialport/binding-mock, as serialport itself loads it: one instance, with types.
const MockBinding = SerialPortMock.binding;
export type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

let nextPort = 0;

/**
 * Wires a simulator to @serialport/binding-mock: the mock's writes are fed to the simulator and the
 * simulator's replies are emitted as the mock port's incoming data. Each call makes a fresh mock path,
 * because the mock keeps its ports in one process-wide table.
 */
export function mockBindingFor(sim: BoardSimulator): { binding: BindingInterface; path: string } {
  const path = `/dev/mock-lockboard-${process.pid}-${nextPort++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const binding = {
    list: async (): Promise<PortInfo[]> =>
      (await MockBinding.list()).filter((p: PortInfo) => p.path === path),
    open: async (options: OpenOptions): Promise<MockPortBinding> => {
      const port = await MockBinding.open({ ...options, path });
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer): Promise<void> => {
        await write(buffer);
        sim.receive(buffer);
      };
      const unsubscribe = sim.onTransmit((bytes) => {
        if (port.isOpen) port.emitData(bytes);
      });
      const close = port.close.bind(port);
      port.close = async (): Promise<void> => {
        unsubscribe();
        await close();
      };
      return port;
    },
  };
  return { binding, path };
}
