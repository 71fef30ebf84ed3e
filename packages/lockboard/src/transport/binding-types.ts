import type { SerialPortStream } from '@serialport/stream';

/*
 * The serialport binding types, derived from @serialport/stream: @serialport/bindings-interface ships its
 * types only behind its CommonJS entry, which an ESM (NodeNext) import cannot reach.
 */
export type BindingInterface = SerialPortStream['settings']['binding'];
export type BindingPortInterface = NonNullable<SerialPortStream['port']>;
export type OpenOptions = Parameters<BindingInterface['open']>[0];
export type PortInfo = Awaited<ReturnType<BindingInterface['list']>>[number];
export type PortStatus = Awaited<ReturnType<BindingPortInterface['get']>>;
