import { readdir } from 'node:fs/promises';
import { isLockerError } from '@locker/protocol';
import { SerialPort } from 'serialport';
import { LockBoardDriver } from '../driver.js';
import { familyInfo } from '../settings.js';
import type { LockReading } from '../types.js';
import { type CliIo, type Flags, int, required, settingsFromFlags } from './options.js';

async function withDriver<T>(driver: LockBoardDriver, fn: (d: LockBoardDriver) => Promise<T>): Promise<T> {
  await driver.start();
  try {
    return await fn(driver);
  } finally {
    await driver.stop();
  }
}

function describeError(err: unknown): string {
  return isLockerError(err) ? `${err.code}: ${err.message}` : String(err);
}

/** serialport lists through udev; where udevadm is missing (containers), fall back to the device names. */
async function findPorts(): Promise<{ path: string; manufacturer?: string; serialNumber?: string }[]> {
  try {
    return await SerialPort.list();
  } catch {
    const names = await readdir('/dev').catch(() => [] as string[]);
    return names
      .filter((n) => /^tty(USB|ACM|S|AMA|XRUSB)\d+$/.test(n))
      .sort()
      .map((n) => ({ path: `/dev/${n}` }));
  }
}

export async function listPorts(io: CliIo, flags: Flags): Promise<number> {
  const ports = await findPorts();
  if (flags.json) io.out(JSON.stringify(ports));
  else if (ports.length === 0) io.out('no serial ports found');
  else for (const p of ports) io.out(`${p.path}\t${p.manufacturer ?? ''}\t${p.serialNumber ?? ''}`.trimEnd());
  return 0;
}

/** Every possible address of the family, up to --max-address, with the lock count a probe reads. */
export function probeBoards(flags: Flags): { address: number; locks: number }[] {
  const family = required(flags, 'family');
  const info = familyInfo(family === 'kerong' ? 'kerong' : 'xor8a');
  const last = Math.min(info.maxAddress, int(flags, 'max-address') ?? (family === 'kerong' ? 15 : 32));
  const boards: { address: number; locks: number }[] = [];
  for (let a = info.minAddress; a <= last; a++)
    boards.push({ address: a, locks: family === 'kerong' ? 16 : 8 });
  return boards;
}

export interface ProbeResult {
  address: number;
  answers: boolean;
  readings: LockReading[];
  error?: string;
}

/** Reads each board once; a board that does not answer is reported with its error. */
export async function probe(
  flags: Flags,
  boards: { address: number; locks: number }[],
): Promise<ProbeResult[]> {
  const settings = { ...settingsFromFlags(flags, boards), timeouts: { statusMs: 150, drainMs: 20 } };
  const driver = new LockBoardDriver(settings);
  const out: ProbeResult[] = [];
  await withDriver(driver, async (d) => {
    for (const b of boards) {
      try {
        out.push({ address: b.address, answers: true, readings: await d.readBoard(b.address) });
      } catch (err) {
        out.push({ address: b.address, answers: false, readings: [], error: describeError(err) });
      }
    }
  });
  return out;
}

/** Probes every possible board address with a status read and lists the ones that answer. */
export async function scanBus(io: CliIo, flags: Flags): Promise<number> {
  const results = await probe(flags, probeBoards(flags));
  const found = results.filter((r) => r.answers).map((r) => r.address);
  if (flags.json) {
    io.out(
      JSON.stringify({
        found,
        probed: results.map(({ address, answers, error }) => ({
          address,
          answers,
          ...(error ? { error } : {}),
        })),
      }),
    );
    return found.length === 0 ? 1 : 0;
  }
  for (const r of results) {
    if (r.answers) io.out(`board ${r.address}: answers`);
    else if (flags.verbose) io.out(`board ${r.address}: ${r.error}`);
  }
  io.out(found.length === 0 ? 'no boards answered' : `boards found: ${found.join(', ')}`);
  return found.length === 0 ? 1 : 0;
}

function formatReadings(readings: LockReading[]): string[] {
  const lines = ['board  lock  door    occupied'];
  for (const r of readings) {
    const occ = r.occupied === null ? '-' : r.occupied ? 'yes' : 'no';
    lines.push(`${String(r.board).padEnd(5)}  ${String(r.lock).padEnd(4)}  ${r.door.padEnd(6)}  ${occ}`);
  }
  return lines;
}

export async function status(io: CliIo, flags: Flags): Promise<number> {
  const driver = new LockBoardDriver(settingsFromFlags(flags));
  let failed = false;
  await withDriver(driver, async (d) => {
    const readings: LockReading[] = [];
    for (const b of d.settings.boards) {
      try {
        readings.push(...(await d.readBoard(b.address)));
      } catch (err) {
        failed = true;
        io.err(`board ${b.address}: ${describeError(err)}`);
      }
    }
    if (flags.json) io.out(JSON.stringify(readings));
    else for (const line of formatReadings(readings)) io.out(line);
  });
  return failed ? 1 : 0;
}

export async function openLock(io: CliIo, flags: Flags): Promise<number> {
  const board = int(flags, 'board');
  const lock = int(flags, 'lock');
  if (board === undefined || lock === undefined) {
    io.err('open needs --board and --lock');
    return 2;
  }
  const driver = new LockBoardDriver(settingsFromFlags(flags));
  if (
    !flags.yes &&
    !(await io.confirm(`Open board ${board} lock ${lock} on ${driver.settings.port}? [y/N] `))
  ) {
    io.out('not opened');
    return 1;
  }
  return withDriver(driver, async (d) => {
    const r = await d.unlock({ board, lock });
    if (flags.json) io.out(JSON.stringify(r));
    else
      io.out(
        r.confirmed
          ? `board ${board} lock ${lock}: open`
          : `board ${board} lock ${lock}: NOT detected open (door ${r.door})`,
      );
    return r.confirmed ? 0 : 1;
  });
}

export async function watch(io: CliIo, flags: Flags): Promise<number> {
  const settings = { ...settingsFromFlags(flags), pollIntervalMs: int(flags, 'interval') ?? 200 };
  const driver = new LockBoardDriver(settings);
  const stamp = () => new Date().toISOString();
  driver.monitor.on('door', (e) =>
    io.out(
      `${stamp()} board ${e.board} lock ${e.lock}: door ${e.door}${e.door === 'open' && !e.commanded ? ' (FORCED)' : ''}`,
    ),
  );
  driver.monitor.on('occupancy', (e) =>
    io.out(`${stamp()} board ${e.board} lock ${e.lock}: ${e.occupied ? 'occupied' : 'empty'}`),
  );
  driver.monitor.on('board', (e) =>
    io.out(`${stamp()} board ${e.board}: ${e.reachable ? 'back' : 'UNREACHABLE'}`),
  );
  await withDriver(driver, async (d) => {
    const initial = await d.readAll().catch((err: unknown) => {
      io.err(describeError(err));
      return [];
    });
    for (const line of formatReadings(initial)) io.out(line);
    io.out('watching; Ctrl-C to stop');
    await io.interrupted();
  });
  return 0;
}
