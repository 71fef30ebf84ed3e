export { LockBus, Priority } from './bus/lock-bus.js';
export type {
  BoardCodec,
  BoardReply,
  BoardRequest,
  DecoderStats,
  Family,
  FeedbackMode,
  OccupancyPolarity,
  ReplyDecoder,
} from './codecs/codec.js';
export { hex } from './codecs/codec.js';
export { createCodec } from './codecs/index.js';
export { KerongCodec } from './codecs/kerong.js';
export { Xor8aCodec } from './codecs/xor8a.js';
export {
  type BusState,
  type BusStateEvent,
  type DriverEvents,
  type DriverOptions,
  LockBoardDriver,
} from './driver.js';
export type { Logger } from './logger.js';
export {
  type BoardEvent,
  type DoorEvent,
  DoorMonitor,
  type DoorMonitorEvents,
  type OccupancyEvent,
} from './monitor/door-monitor.js';
export { BusSettings, type BusSettingsInput, parseBusSettings, SIM_PORT } from './settings.js';
export { type AttachedSimulator, attachSimulatorToPort } from './simulator/attach-port.js';
export { BoardSimulator, type LoggedFrame, type SimulatorOptions } from './simulator/board-simulator.js';
export { SimulatorBinding } from './simulator/simulator-binding.js';
export { type ByteTransport, SerialTransport } from './transport/serial-transport.js';
export type { LockAddress, LockReading, UnlockResult } from './types.js';
