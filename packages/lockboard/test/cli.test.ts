import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/options.js';
import { runCli } from '../src/cli/run.js';
import { control } from '../src/cli/simulate.js';
import { BoardSimulator } from '../src/simulator/board-simulator.js';
import { simulatorOnPty } from '../src/simulator/simulator-on-pty.js';

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

describe('the lockboard CLI on a real serial device', () => {
  it('prints the scan as JSON with --json', async () => {
    const sim = new BoardSimulator({ family: 'xor8a', boards: [{ address: 2, locks: 8 }] });
    const bus = await simulatorOnPty(sim);
    try {
      const io = fakeIo();
      const args = ['scan', '-p', bus.hostPath, '-f', 'xor8a', '--max-address', '3', '--json'];
      expect(await runCli(args, io)).toBe(0);
      expect(io.lines_).toHaveLength(1);
      const out = JSON.parse(io.lines_[0] ?? '{}') as { found: number[]; probed: { address: number }[] };
      expect(out.found).toEqual([2]);
      expect(out.probed.map((p) => p.address)).toEqual([1, 2, 3]);
    } finally {
      await bus.close();
    }
  });

  it('names the unlock, not the read after it, when an unlock gets no answer', async () => {
    const sim = new BoardSimulator({ family: 'xor8a', boards: [{ address: 1, locks: 8 }] });
    sim.silence(1);
    const bus = await simulatorOnPty(sim);
    try {
      const io = fakeIo();
      const args = [
        'open',
        '-p',
        bus.hostPath,
        '-f',
        'xor8a',
        '--boards',
        '1:8',
        '--board',
        '1',
        '--lock',
        '3',
        '-y',
      ];
      expect(await runCli(args, io)).toBe(1);
      expect(io.errors[0]).toMatch(/^LOCK_TIMEOUT: board 1 lock 3: unlock got no answer/);
    } finally {
      await bus.close();
    }
  });

  it('doctor finds the feedback mode a shut cabinet fits, flags a door that reads open, and prints the settings', async () => {
    // Opening-feedback wiring, every door shut but lock 5 of board 1 ajar.
    const sim = new BoardSimulator({
      family: 'xor8a',
      feedback: 'opening',
      boards: [
        { address: 1, locks: 24 },
        { address: 2, locks: 24 },
      ],
    });
    sim.setDoor(1, 5, 'open');
    const bus = await simulatorOnPty(sim);
    try {
      const io = fakeIo();
      const args = ['doctor', '-p', bus.hostPath, '-f', 'xor8a', '--max-address', '2', '--json'];
      expect(await runCli(args, io)).toBe(1);
      const out = JSON.parse(io.lines_[0] ?? '{}') as {
        feedback: string;
        flagged: unknown[];
        bus: { feedback: string; boards: unknown[] };
      };
      expect(out.feedback).toBe('opening');
      expect(out.flagged).toEqual([{ board: 1, lock: 5 }]);
      expect(out.bus).toMatchObject({
        family: 'xor8a',
        port: bus.hostPath,
        feedback: 'opening',
        boards: [
          { address: 1, locks: 24 },
          { address: 2, locks: 24 },
        ],
      });
      sim.setDoor(1, 5, 'closed');
      const text = fakeIo();
      expect(await runCli(['doctor', '-p', bus.hostPath, '-f', 'xor8a', '--max-address', '2'], text)).toBe(0);
      expect(text.lines_).toContain('The readings fit "opening" feedback.');
      expect(text.lines_).toContain('Every door reads closed.');
    } finally {
      await bus.close();
    }
  });
});
