import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runUserCommand } from '../src/accounts/verification-cli.js';
import { JPEG, startAccountsCloud, type TestCloud, userWithToken, VALID_PRC_ID } from './accounts-helpers.js';

describe('the operator CLI for identity verification', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
  });
  afterAll(async () => {
    await cloud?.close();
    vi.restoreAllMocks();
  });

  it('lists pending verifications and passes one with `user verify ID pass`', async () => {
    const me = await userWithToken(cloud.server.app);
    await cloud.server.app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: {
        tel: '13700000001',
        realName: '周七',
        prcId: VALID_PRC_ID,
        address: 'x',
        photo: JPEG.toString('base64'),
      },
    });
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    expect(await runUserCommand(cloud.server.accounts, 'pending', [])).toBe(0);
    expect(out.join('')).toContain(me.id);
    expect(await runUserCommand(cloud.server.accounts, 'verify', [me.id, 'pass', 'looks', 'fine'])).toBe(0);
    expect(JSON.parse(out[1] as string)).toMatchObject({
      userId: me.id,
      status: 'passed',
      note: 'looks fine',
    });
    expect(await runUserCommand(cloud.server.accounts, 'verify', [me.id, 'maybe'])).toBe(2);
  });
});
