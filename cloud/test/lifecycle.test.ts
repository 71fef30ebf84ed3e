import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseCloudConfig } from '../src/config.js';
import { IntervalWorker } from '../src/lifecycle/interval-worker.js';
import { type Subsystem, SubsystemPlan } from '../src/lifecycle/subsystem-plan.js';
import { CloudServer } from '../src/server.js';

const silent = pino({ level: 'silent' });

function recorder(log: string[], name: string, fail?: 'start' | 'stop'): Subsystem {
  return {
    async start() {
      if (fail === 'start') throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('the cloud subsystem plan', () => {
  it('starts subsystems in order and stops them in reverse, skipping absent ones', async () => {
    const log: string[] = [];
    const plan = new SubsystemPlan(silent)
      .add('a', recorder(log, 'a'))
      .add('absent', undefined)
      .add('b', recorder(log, 'b'));
    await plan.start();
    await plan.stop();
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('keeps stopping the others when one stop fails', async () => {
    const log: string[] = [];
    const plan = new SubsystemPlan(silent).add('a', recorder(log, 'a')).add('b', recorder(log, 'b', 'stop'));
    await plan.start();
    await expect(plan.stop()).resolves.toBeUndefined();
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stops what had started when a later start fails, and throws', async () => {
    const log: string[] = [];
    const plan = new SubsystemPlan(silent).add('a', recorder(log, 'a')).add('b', recorder(log, 'b', 'start'));
    await expect(plan.start()).rejects.toThrow('b cannot start');
    expect(log).toEqual(['start a', 'stop a']);
  });

  it('builds the fleet link, desired state and app in the constructor, with no getter that throws', () => {
    const config = parseCloudConfig({
      broker: { servicePassword: 'plan-test-password-123', embedded: { port: 0 } },
      database: { dialect: 'sqlite', file: ':memory:' },
      adminToken: 'plan-test-admin-token-0123456789',
      logLevel: 'silent',
    });
    const server = new CloudServer(config, silent);
    expect(server.fleet).toBeDefined();
    expect(server.desired).toBeDefined();
    expect(server.app).toBeDefined();
    expect(server.plan.names()).toEqual([
      'database',
      'grant-keys',
      'broker',
      'rights',
      'parcels',
      'fleet',
      'workers',
      'http',
    ]);
    return server.db.destroy();
  });
});

describe('a background worker', () => {
  /** A pass that waits until the test lets it finish. */
  function gatedWork() {
    const state = { active: 0, most: 0, gates: [] as Array<() => void> };
    const run = () =>
      new Promise<void>((resolve) => {
        state.active += 1;
        state.most = Math.max(state.most, state.active);
        state.gates.push(() => {
          state.active -= 1;
          resolve();
        });
      });
    return { state, run };
  }

  it('never runs two passes at once', async () => {
    const { state, run } = gatedWork();
    const worker = new IntervalWorker({ name: 'test', intervalMs: 60_000, logger: silent, run });
    const first = worker.runOnce();
    const second = worker.runOnce();
    await expect.poll(() => state.gates.length).toBe(1);
    state.gates[0]?.();
    await expect.poll(() => state.gates.length).toBe(2);
    state.gates[1]?.();
    await Promise.all([first, second]);
    expect(state.most).toBe(1);
  });

  it('waits for the pass under way when it stops', async () => {
    const { state, run } = gatedWork();
    const worker = new IntervalWorker({ name: 'test', intervalMs: 1, logger: silent, run });
    await worker.start();
    await expect.poll(() => state.active).toBe(1);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    state.gates[0]?.();
    await stopping;
    expect(state.active).toBe(0);
  });

  it('logs a failed pass and runs the next one', async () => {
    let calls = 0;
    const worker = new IntervalWorker({
      name: 'flaky',
      intervalMs: 1,
      logger: silent,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('first pass fails');
      },
    });
    await worker.start();
    await expect.poll(() => calls, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await worker.stop();
  });
});
