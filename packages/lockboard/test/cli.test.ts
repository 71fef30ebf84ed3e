import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/options.js';
import { runCli } from '../src/cli/run.js';
import { control } from '../src/cli/simulate.js';
import { BoardSimulator } from '../src/simulator/board-simulator.js';

function fakeIo(answer = false): CliIo & { lines_: string[]; errors: string[]; asked: string[] } {
  const lines_: string[] = [];
  const errors: string[] = [];
  const asked: string[] = [];
  return {
    lines_,
    errors,
    asked,
    out: (l) => lines_.push(l),
    err: (l) => errors.push(l),
    confirm: async (q) => {
      asked.push(q);
      return answer;
    },
    interrupted: () => new Promise((r) => setTimeout(r, 100)),
    lines: async function* () {},
  };
}

describe('the lockboard CLI', () => {
  it('prints the status of every lock on a simulated bus', async () => {
    const io = fakeIo();
    const code = await runCli(['status', '-p', 'sim:', '-f', 'kerong', '--boards', '0:3', '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.lines_[0] ?? '[]')).toEqual([
      { board: 0, lock: 1, door: 'closed', occupied: false },
      { board: 0, lock: 2, door: 'closed', occupied: false },
      { board: 0, lock: 3, door: 'closed', occupied: false },
    ]);
  });

  it('asks before opening a lock and opens nothing on a no', async () => {
    const io = fakeIo(false);
    const code = await runCli(
      ['open', '-p', 'sim:', '-f', 'xor8a', '--boards', '1:8', '--board', '1', '--lock', '2'],
      io,
    );
    expect(code).toBe(1);
    expect(io.asked).toHaveLength(1);
    expect(io.lines_).toEqual(['not opened']);
  });

  it('opens without asking when --yes is given and reports the sensor', async () => {
    const io = fakeIo(false);
    const args = [
      'open',
      '-p',
      'sim:',
      '-f',
      'xor8a',
      '--boards',
      '1:8',
      '--board',
      '1',
      '--lock',
      '2',
      '--yes',
    ];
    expect(await runCli(args, io)).toBe(0);
    expect(io.asked).toEqual([]);
    expect(io.lines_).toEqual(['board 1 lock 2: open']);
  });

  it('finds the boards that answer when scanning a bus', async () => {
    const io = fakeIo();
    expect(await runCli(['scan', '-p', 'sim:', '-f', 'kerong', '--max-address', '2'], io)).toBe(0);
    expect(io.lines_.at(-1)).toBe('boards found: 0, 1, 2');
  });

  it('explains bad flags with a coded error instead of a stack trace', async () => {
    const io = fakeIo();
    expect(await runCli(['status', '-p', 'sim:', '-f', 'zigbee', '--boards', '1:8'], io)).toBe(1);
    expect(io.errors[0]).toMatch(/^VALIDATION_FAILED: --family/);
  });

  it('drives the simulator from its console commands', () => {
    const sim = new BoardSimulator({ family: 'xor8a', boards: [{ address: 1, locks: 8 }] });
    expect(control(sim, 'open 1 4')).toBe('ok');
    expect(sim.state(1, 4).door).toBe('open');
    expect(control(sim, 'jam 1 9')).toMatch(/^error: /);
    expect(control(sim, 'fly 1')).toMatch(/unknown command/);
  });
});
