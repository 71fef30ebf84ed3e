import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeKeyFromPrivate, newCodeKeyPair, openSealedCode, sealedCodeContext } from '@locker/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CABINET,
  courierDoc,
  putParcelAndClose,
  startCabinet,
  type TestCabinet,
  waitForSession,
} from './support/cabinet.js';

const cloudKey = newCodeKeyPair();

describe('the pickup code sealed to the cloud in the deposit event (ADR 0013)', () => {
  let c: TestCabinet | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  const depositWith = async (cab: TestCabinet, extra: Record<string, string>) => {
    const res = await cab.call('POST', '/api/deposits', {
      courierId: 'C-1001',
      pin: '4711',
      size: 'medium',
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const boxNo = String((res.body as { boxNo: string }).boxNo);
    putParcelAndClose(cab, boxNo);
    return waitForSession(cab, (res.body as { id: string }).id, 'completed');
  };

  it('carries the waybill, the recipient phone and a box only the cloud key opens, never the code', async () => {
    c = await startCabinet({ cloudCodeKey: cloudKey.publicKey });
    c.daemon.desired.apply(await courierDoc());
    const done = await depositWith(c, { waybill: 'WB-77', recipientTel: '13499996666' });
    const ev = c.daemon.outbox.all().find((e) => e.type === 'parcel.deposited');
    if (ev?.type !== 'parcel.deposited') throw new Error('no deposit event');
    expect(ev.data).toMatchObject({ waybill: 'WB-77', recipientTel: '13499996666', parcelId: done.parcelId });
    const text = JSON.stringify(ev);
    expect(text).not.toContain(String(done.pickupCode));
    expect(text).not.toContain(String(done.pickupToken));
    const sealed = ev.data.sealedCode;
    if (!sealed) throw new Error('no sealed code');
    const opened = openSealedCode(
      sealed,
      codeKeyFromPrivate(cloudKey.privateKey),
      sealedCodeContext(CABINET, String(done.parcelId)),
    );
    expect(opened).toEqual({ pickupCode: done.pickupCode, pickupToken: done.pickupToken });
    const bytes = Buffer.concat(
      ['edge.db', 'edge.db-wal']
        .map((f) => join(c?.dir ?? '', f))
        .filter(existsSync)
        .map((f) => readFileSync(f)),
    );
    expect(bytes.includes(Buffer.from(String(done.pickupCode)))).toBe(false);
  });

  it('sends no code at all, sealed or not, when no cloud key is configured', async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
    await depositWith(c, {});
    const ev = c.daemon.outbox.all().find((e) => e.type === 'parcel.deposited');
    expect(ev?.data).not.toHaveProperty('sealedCode');
  });

  it('refuses a malformed waybill at the kiosk with VALIDATION_FAILED', async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
    const res = await c.call('POST', '/api/deposits', {
      courierId: 'C-1001',
      pin: '4711',
      size: 'medium',
      waybill: 'no spaces',
    });
    expect(res.status).toBe(400);
  });
});
