// The built harness (tools/): it runs the built daemon (edge/dist/main.js) as the process whose power is cut.
import { runPowerCut } from '@locker/tools/chaos';
import { describe, expect, it } from 'vitest';

describe('power cuts of the cabinet daemon', () => {
  it('loses and duplicates no event and matches the physical boxes after each of 20 SIGKILLs mid-operation', async () => {
    const report = await runPowerCut({ kills: 20, maxUptimeMs: 700 });
    expect(report.problems).toEqual([]);
    expect(report.deposits).toBeGreaterThan(0);
    expect(report.pickups).toBeGreaterThan(0);
  }, 120_000);
});
