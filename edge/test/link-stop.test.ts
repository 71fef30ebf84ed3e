import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCabinet, type TestCabinet } from './support/cabinet.js';

/**
 * A broker that accepts the connection (CONNACK) and then never answers again: what a cabinet sees
 * when the broker dies or the network black-holes while the cabinet is stopping.
 */
async function silentBroker(): Promise<{
  url: string;
  sockets: Socket[];
  received: Buffer[];
  server: Server;
}> {
  const sockets: Socket[] = [];
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let greeted = false;
    socket.on('data', (chunk) => {
      received.push(chunk);
      if (!greeted && chunk[0] === 0x10) {
        greeted = true;
        socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `mqtt://127.0.0.1:${port}`, sockets, received, server };
}

describe('stopping a cabinet whose broker has gone silent', () => {
  let c: TestCabinet | undefined;
  let broker: Awaited<ReturnType<typeof silentBroker>> | undefined;
  afterEach(async () => {
    for (const s of broker?.sockets ?? []) s.destroy();
    await new Promise((r) => broker?.server.close(r));
  });

  it('ends though the offline status is never acknowledged and the clean disconnect never completes', async () => {
    broker = await silentBroker();
    c = await startCabinet({
      broker: { url: broker.url, password: 'x', keepaliveSec: 60, resendAfterMs: 1000 },
    });
    await expect.poll(() => c?.daemon.link?.connected ?? false, { timeout: 10_000 }).toBe(true);
    // Before each step of the stop had its bound, this never returned (the test's timeout fails a hang).
    await c.close();
    // It did try to say so: a PUBLISH (0x3_) to its status topic went out.
    const sent = Buffer.concat(broker.received).toString('latin1');
    expect(sent).toContain('lockers/610091A01/status');
  }, 20_000);
});
