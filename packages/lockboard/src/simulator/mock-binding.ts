import { createRequire } from 'node:module';
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with {
  'resolution-mode': 'require',
};
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface' with {
  'resolution-mode': 'require',
};
import type { BoardSimulator } from './board-simulator.js';

// The package's "exports" point ESM importers at a file without types; its CommonJS entry has them.
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as {
  MockBinding: MockBindingInterface;
};

let nextPort = 0;

/**
 * Wires a simulator to @serialport/binding-mock: the mock's writes are fed to the simulator and the
 * simulator's replies are emitted as the mock port's incoming data. Each call makes a fresh mock path,
 * because the mock keeps its ports in one process-wide table.
 */
export function mockBindingFor(sim: BoardSimulator): { binding: BindingInterface<MockPortBinding>; path: string } {
  const path = `/dev/mock-lockboard-${process.pid}-${nextPort++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const binding: BindingInterface<MockPortBinding> = {
    list: async (): Promise<PortInfo[]> => (await MockBinding.list()).filter((p: PortInfo) => p.path === path),
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
