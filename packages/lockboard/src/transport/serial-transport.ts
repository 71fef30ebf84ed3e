import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import type { BindingInterface } from './binding-types.js';

/** The bus's view of a serial line: bytes out, bytes in, nothing else. */
export interface ByteTransport {
  open(): Promise<void>;
  close(): Promise<void>;
  write(bytes: Buffer): Promise<void>;
  /** Discards bytes the OS has received but not yet delivered (part of a drain). */
  flushInput(): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: (error: Error | undefined) => void): void;
}

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  /** A custom binding (the simulator, binding-mock); the platform binding otherwise. */
  binding?: BindingInterface;
}

/** A ByteTransport on the real serialport stack: SerialPortStream over any binding. */
export class SerialTransport implements ByteTransport {
  private port: SerialPortStream | undefined;
  private dataListener: ((chunk: Buffer) => void) | undefined;
  private closeListener: ((error: Error | undefined) => void) | undefined;

  constructor(private readonly options: SerialTransportOptions) {}

  async open(): Promise<void> {
    const { path, baudRate, binding } = this.options;
    const port = binding
      ? new SerialPortStream({ binding, path, baudRate, autoOpen: false })
      : new SerialPort({ path, baudRate, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.dataListener?.(chunk));
    // Errors also arrive as rejected writes or a close; this listener only keeps them from crashing the process.
    port.on('error', () => {});
    port.on('close', (err: Error | null | undefined) => this.closeListener?.(err ?? undefined));
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port) throw new Error('serial port is not open');
    await new Promise<void>((resolve, reject) =>
      port.write(bytes, (err: Error | null | undefined) => (err ? reject(err) : resolve())),
    );
  }

  async flushInput(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.flush(() => resolve()));
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.closeListener = listener;
  }
}
