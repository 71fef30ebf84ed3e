import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
} from '../transport/binding-types.js';
import type { BoardSimulator } from './board-simulator.js';

class CanceledError extends Error {
  readonly canceled = true;
}

interface PendingRead {
  buffer: Buffer;
  offset: number;
  length: number;
  resolve: (r: { buffer: Buffer; bytesRead: number }) => void;
  reject: (e: Error) => void;
}

/** One open "port": writes go into the simulator, its replies come back through read(). */
export class SimulatorPortBinding implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private inbox: Buffer[] = [];
  private pending: PendingRead | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly sim: BoardSimulator,
    options: OpenOptions,
  ) {
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    };
    this.unsubscribe = sim.onTransmit((bytes) => this.deliver(bytes));
  }

  private deliver(bytes: Buffer): void {
    if (!this.isOpen) return;
    this.inbox.push(Buffer.from(bytes));
    this.flushToReader();
  }

  private flushToReader(): void {
    const p = this.pending;
    if (!p || this.inbox.length === 0) return;
    this.pending = undefined;
    let n = 0;
    while (n < p.length && this.inbox.length > 0) {
      const head = this.inbox[0] as Buffer;
      const take = Math.min(head.length, p.length - n);
      head.copy(p.buffer, p.offset + n, 0, take);
      n += take;
      if (take === head.length) this.inbox.shift();
      else this.inbox[0] = head.subarray(take);
    }
    p.resolve({ buffer: p.buffer, bytesRead: n });
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) throw new CanceledError('port is closed');
    return new Promise((resolve, reject) => {
      this.pending = { buffer, offset, length, resolve, reject };
      this.flushToReader();
    });
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new CanceledError('port is closed');
    this.sim.receive(Buffer.from(buffer));
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.unsubscribe();
    this.inbox = [];
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new CanceledError('port is closed'));
  }

  async update(): Promise<void> {}
  async set(): Promise<void> {}
  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true };
  }
  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }
  async flush(): Promise<void> {
    this.inbox = [];
  }
  async drain(): Promise<void> {}
}

/**
 * A serialport binding whose every port is the given simulator, so the real SerialPortStream (buffering,
 * open/close, backpressure) is exercised without hardware. Modelled on @serialport/binding-mock.
 */
export class SimulatorBinding implements BindingInterface {
  constructor(
    private readonly sim: BoardSimulator,
    private readonly path = 'sim:',
  ) {}

  async list(): Promise<PortInfo[]> {
    return [
      {
        path: this.path,
        manufacturer: `locker board simulator (${this.sim.family})`,
        serialNumber: undefined,
        pnpId: undefined,
        locationId: undefined,
        productId: undefined,
        vendorId: undefined,
      },
    ];
  }

  async open(options: OpenOptions): Promise<SimulatorPortBinding> {
    return new SimulatorPortBinding(this.sim, options);
  }
}
