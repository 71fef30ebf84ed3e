import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCabinet, type TestCabinet } from './support/cabinet.js';

const command = (params: unknown) => Buffer.from(JSON.stringify({ transaction: randomUUID(), params }));

describe('operator commands for alarms', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
  });
  afterEach(async () => {
    await c.close();
  });

  it('lists active alarms in diagnostics and clears one by its id, with an alarm.cleared event', async () => {
    c.daemon.alarms.raise('code_lockout', 'cabinet', 'Too many wrong codes');
    const diagnostics = await c.daemon.commands.handle('diagnostics', command({}));
    expect(diagnostics?.status).toBe('ok');
    const alarms = (diagnostics as { data: { alarms: Array<{ alarmId: string; kind: string }> } }).data
      .alarms;
    expect(alarms.map((a) => a.kind)).toEqual(['code_lockout']);
    const alarmId = alarms[0]?.alarmId as string;

    const cleared = await c.daemon.commands.handle(
      'clear_alarm',
      command({ alarmId, reason: 'checked on site' }),
    );
    expect(cleared).toMatchObject({ status: 'ok', data: { alarmId, cleared: true } });
    expect(c.daemon.alarms.active()).toEqual([]);
    expect(c.daemon.outbox.all().map((e) => e.type)).toEqual(
      expect.arrayContaining(['alarm.raised', 'alarm.cleared']),
    );
  });

  it('answers an unknown or already cleared alarm with ALARM_NOT_FOUND', async () => {
    const res = await c.daemon.commands.handle('clear_alarm', command({ alarmId: 'no-such-alarm' }));
    expect(res).toMatchObject({ status: 'error', error: { code: 'ALARM_NOT_FOUND' } });
  });
});
