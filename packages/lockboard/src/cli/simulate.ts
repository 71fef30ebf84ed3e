import { parseBusSettings, resolveBaud } from '../settings.js';
import { attachSimulatorToPort } from '../simulator/attach-port.js';
import { BoardSimulator } from '../simulator/board-simulator.js';
import { type CliIo, type Flags, settingsFromFlags } from './options.js';

const HELP = [
  'commands: open B L | close B L | occupy B L | empty B L | force B L | jam B L | unjam B L',
  '          silence B | speak B | garble B | clean B | truncate B | whole B | slow MS | state B L | log | help',
];

/**
 * Runs the board simulator on a real serial device (a socat pty end or a USB adapter looped to the host
 * under test), so the edge or a technician's laptop can talk to "boards" through the real serial stack.
 */
export async function simulate(io: CliIo, flags: Flags): Promise<number> {
  const settings = parseBusSettings(settingsFromFlags(flags));
  const sim = new BoardSimulator({
    family: settings.family,
    boards: settings.boards,
    feedback: settings.feedback,
    polarity: { ...(settings.polarity.occupancy ? { occupancy: settings.polarity.occupancy } : {}) },
    ...(flags['emulate-timing'] ? { emulateBaud: resolveBaud(settings) } : {}),
    ...(settings.statusBytes === undefined ? {} : { statusBytes: settings.statusBytes }),
  });
  const attached = await attachSimulatorToPort(sim, settings.port, resolveBaud(settings));
  const boards = settings.boards.map((b) => `${b.address}:${b.locks}`).join(',');
  io.out(
    `simulating ${settings.family} boards ${boards} on ${settings.port} at ${resolveBaud(settings)} baud`,
  );
  for (const line of HELP) io.out(line);
  const offFrames = flags.verbose
    ? sim.onFrame((f) => io.out(`rx ${f.hex}  (${f.request.op} board ${f.request.board})`))
    : undefined;
  const console = (async () => {
    for await (const line of io.lines()) {
      const reply = control(sim, line.trim());
      if (reply) io.out(reply);
    }
  })();
  await Promise.race([io.interrupted(), console]);
  offFrames?.();
  await attached.close();
  return 0;
}

/** One console command; returns what to print. Errors are printed, never thrown: the simulator keeps running. */
export function control(sim: BoardSimulator, line: string): string | undefined {
  if (line === '') return undefined;
  const [cmd, a, b] = line.split(/\s+/);
  const board = Number(a);
  const lock = Number(b);
  try {
    switch (cmd) {
      case 'open':
        sim.setDoor(board, lock, 'open');
        break;
      case 'close':
        sim.setDoor(board, lock, 'closed');
        break;
      case 'occupy':
        sim.setOccupied(board, lock, true);
        break;
      case 'empty':
        sim.setOccupied(board, lock, false);
        break;
      case 'force':
        sim.forceOpen(board, lock);
        break;
      case 'jam':
        sim.jam(board, lock, true);
        break;
      case 'unjam':
        sim.jam(board, lock, false);
        break;
      case 'silence':
      case 'speak':
        sim.silence(board, cmd === 'silence');
        break;
      case 'garble':
      case 'clean':
        sim.garble(board, cmd === 'garble');
        break;
      case 'truncate':
      case 'whole':
        sim.truncate(board, cmd === 'truncate');
        break;
      case 'slow':
        sim.slow(board);
        break;
      case 'state':
        return JSON.stringify(sim.state(board, lock));
      case 'log':
        return sim.frames.map((f) => f.hex).join('\n') || '(no frames yet)';
      case 'help':
        return HELP.join('\n');
      default:
        return `unknown command "${cmd}"; type help`;
    }
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}
