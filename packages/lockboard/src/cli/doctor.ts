import type { FeedbackMode } from '../codecs/codec.js';
import type { LockReading } from '../types.js';
import { probe, probeBoards } from './commands.js';
import { type CliIo, type Flags, parseBoards, required, str } from './options.js';

export interface BoardDiagnosis {
  address: number;
  channels: number;
  /** Doors that read open under each feedback mode, with every door shut. */
  openUnder: Record<FeedbackMode, number[]>;
}

export interface Diagnosis {
  boards: BoardDiagnosis[];
  /** The mode the readings fit (fewest doors read open), or null when no board answered. */
  feedback: FeedbackMode | null;
  /** Doors that still read open under that mode: check them (door ajar, sensor unplugged, miswired). */
  flagged: Array<{ board: number; lock: number }>;
}

/**
 * With every door shut, the right feedback mode is the one under which the doors read closed. The probe
 * reads in closing mode; under opening feedback every door reads the other way round.
 */
export function diagnose(
  results: Array<{ address: number; answers: boolean; readings: LockReading[] }>,
): Diagnosis {
  const boards = results
    .filter((r) => r.answers)
    .map((r) => ({
      address: r.address,
      channels: r.readings.length,
      openUnder: {
        closing: r.readings.filter((x) => x.door === 'open').map((x) => x.lock),
        opening: r.readings.filter((x) => x.door === 'closed').map((x) => x.lock),
      },
    }));
  if (boards.length === 0) return { boards, feedback: null, flagged: [] };
  const count = (m: FeedbackMode) => boards.reduce((n, b) => n + b.openUnder[m].length, 0);
  const feedback: FeedbackMode = count('opening') < count('closing') ? 'opening' : 'closing';
  const flagged = boards.flatMap((b) => b.openUnder[feedback].map((lock) => ({ board: b.address, lock })));
  return { boards, feedback, flagged };
}

/** `lockboard doctor`: the installer's first-run check, with every door of the cabinet shut. */
export async function doctor(io: CliIo, flags: Flags): Promise<number> {
  const family = required(flags, 'family');
  const given = str(flags, 'boards');
  // Without --boards, every address is probed for the most locks a reply of the family carries.
  const boards = given
    ? parseBoards(given)
    : probeBoards(flags).map((b) => ({ ...b, locks: family === 'kerong' ? 16 : 24 }));
  const results = await probe({ ...flags, feedback: 'closing' }, boards);
  const d = diagnose(results);
  const config =
    d.feedback === null
      ? null
      : {
          family,
          port: required(flags, 'port'),
          feedback: d.feedback,
          boards: d.boards.map((b) => ({ address: b.address, locks: b.channels })),
        };
  if (flags.json) {
    io.out(JSON.stringify({ ...d, bus: config }));
    return d.feedback === null || d.flagged.length > 0 ? 1 : 0;
  }
  if (d.feedback === null) {
    io.out('no boards answered: check wiring, address switches, --baud and --family');
    return 1;
  }
  io.out('With every door shut:');
  for (const b of d.boards) {
    io.out(
      `board ${b.address}: ${b.channels} channels; doors reading open under closing feedback: ${b.openUnder.closing.length}, under opening feedback: ${b.openUnder.opening.length}`,
    );
  }
  io.out(`The readings fit "${d.feedback}" feedback.`);
  if (d.flagged.length > 0) {
    io.out('These doors read open: shut them, or check their sensor wiring, then run doctor again:');
    for (const f of d.flagged) io.out(`  board ${f.board} lock ${f.lock}`);
  } else {
    io.out('Every door reads closed.');
  }
  io.out('Settings for the edge config ("bus"; set "locks" to the channels each board has in use):');
  io.out(JSON.stringify(config, null, 2));
  return d.flagged.length > 0 ? 1 : 0;
}
