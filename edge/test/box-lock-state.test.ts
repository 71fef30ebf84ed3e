import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCabinet, type TestCabinet } from './support/cabinet.js';

describe('the box lock state, derived from what was observed', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
  });
  afterEach(async () => {
    await c.close();
  });

  it('reads a shut door with no pulse pending as locked at start', () => {
    expect(c.daemon.boxes.get('03')).toMatchObject({ door: 'closed', lock: 'locked' });
  });

  it('reports a box unlocked with its door still shut as unlocked, not locked', async () => {
    c.sim.jam(0, 3);
    const r = await c.daemon.lock.open('03', 'command');
    expect(r).toMatchObject({ confirmed: false, door: 'closed' });
    expect(c.daemon.boxes.get('03')).toMatchObject({ door: 'closed', lock: 'unlocked' });
    const published = c.daemon.outbox
      .all()
      .filter((e) => e.type === 'box.state_changed')
      .map((e) => e.data)
      .at(-1);
    expect(published).toMatchObject({ boxNo: '03', door: 'closed', lock: 'unlocked', cause: 'command' });
  });

  it('is unlocked while the door is open and locked again once it is seen shut', async () => {
    await c.daemon.lock.open('05', 'command');
    expect(c.daemon.boxes.get('05')).toMatchObject({ door: 'open', lock: 'unlocked' });
    c.sim.setDoor(0, 5, 'closed');
    await expect.poll(() => c.daemon.boxes.get('05').door).toBe('closed');
    expect(c.daemon.boxes.get('05').lock).toBe('locked');
  });
});
