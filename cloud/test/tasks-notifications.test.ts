import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_NOTIFICATION } from '../src/tasks/task-service.js';
import { startAccountsCloud, type TestCloud, userWithToken } from './accounts-helpers.js';
import { Phone, waitFor } from './notification-phone.js';
import { aTask } from './tasks-helpers.js';

describe('task changes reach the parties over the notification socket', () => {
  let cloud: TestCloud;
  let wsUrl: string;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    wsUrl = `${cloud.server.httpUrl.replace('http', 'ws')}/v1/notifications/ws`;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('pushes each move to the other party live, with the state and price after it', async () => {
    const app = cloud.server.app;
    const a = await userWithToken(app);
    const b = await userWithToken(app);
    const phone = await Phone.connect(wsUrl, b.auth);
    await waitFor(() => cloud.server.notifications.connections(b.id) === 1);
    const task = (
      await app.inject({
        method: 'POST',
        url: '/v1/tasks',
        headers: a.auth,
        payload: aTask({ linked: b.id }),
      })
    ).json();
    const published = await phone.next('notification');
    expect(published.notification).toMatchObject({
      kind: TASK_NOTIFICATION,
      payload: { taskId: task.id, event: 'published', state: 'linked', price: 500, by: a.id },
    });
    await app.inject({
      method: 'POST',
      url: `/v1/tasks/${task.id}/offers`,
      headers: a.auth,
      payload: { delta: 50 },
    });
    const offered = await phone.next('notification');
    expect(offered.notification).toMatchObject({
      payload: { taskId: task.id, event: 'offered', state: 'bargaining', price: 550, by: a.id },
    });
    await phone.close();
  });
});
