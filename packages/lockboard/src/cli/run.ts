import { parseArgs } from 'node:util';
import { isLockerError } from '@locker/protocol';
import { listPorts, openLock, scanBus, status, watch } from './commands.js';
import { doctor } from './doctor.js';
import { type CliIo, type Flags, flagSpec } from './options.js';
import { simulate } from './simulate.js';

export const USAGE = `lockboard: field tool for serial lock boards

  lockboard ports                                   list serial ports
  lockboard scan     -p PORT -f FAMILY              find the boards that answer on a bus
  lockboard doctor   -p PORT -f FAMILY              first-run check (every door shut): feedback mode,
                                                    doors that read open, settings for the edge config
  lockboard status   -p PORT -f FAMILY --boards 1:16,2:8
  lockboard open     -p PORT -f FAMILY --boards 1:16 --board 1 --lock 3 [--yes]
  lockboard watch    -p PORT -f FAMILY --boards 1:16 [--interval MS]
  lockboard simulate -p PTY  -f FAMILY --boards 1:16 [--emulate-timing] [-v]

  FAMILY is xor8a (9600 baud) or kerong (19200 baud). PORT is a device like /dev/ttyUSB0, or sim: for the
  built-in simulator. Other flags: --baud N, --feedback closing|opening,
  --occupancy-polarity occupied_when_set|occupied_when_clear, --status-bytes N, --max-address N, --json.`;

/** The whole CLI as a function of its arguments and I/O, so it can be tested without a process. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: flagSpec, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  const flags = parsed.values;
  if (flags.help || !command) {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  try {
    switch (command) {
      case 'ports':
        return await listPorts(io, flags);
      case 'scan':
        return await scanBus(io, flags);
      case 'doctor':
        return await doctor(io, flags);
      case 'status':
        return await status(io, flags);
      case 'open':
        return await openLock(io, flags);
      case 'watch':
        return await watch(io, flags);
      case 'simulate':
        return await simulate(io, flags);
      default:
        io.err(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    io.err(isLockerError(err) ? `${err.code}: ${err.message}` : `error: ${(err as Error).message}`);
    return 1;
  }
}
