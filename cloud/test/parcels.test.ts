import { randomUUID } from 'node:crypto';
import { type CabinetEvent, sealCode, sealedCodeContext, topics } from '@locker/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingProvider } from '../src/notifications/delivery.js';
import { JPEG, type TestCloud, uniqueTel, userWithToken, VALID_PRC_ID } from './accounts-helpers.js';
import { startTestCloud } from './helpers.js';
import { Phone } from './notification-phone.js';
import { freshDatabase } from './postgres-database.js';

const CABINET = '610091A01';
type ParcelBody = { id: string; state: string; waybill: string | null; boxNo: string | null };

let seq = 0;
const event = <T extends CabinetEvent['type']>(type: T, data: Extract<CabinetEvent, { type: T }>['data']) =>
  ({
    id: randomUUID(),
    seq: ++seq,
    cabinetId: CABINET,
    at: new Date().toISOString(),
    type,
    data,
  }) as CabinetEvent;

describe.each(['sqlite', 'postgres'] as const)(
  'parcels on %s: announcement, deposit, sealed code, notification, pickup, reminder and expiry',
  (dialect) => {
    let cloud: TestCloud;
    let pgDb: Awaited<ReturnType<typeof freshDatabase>> | undefined;
    const sms = new RecordingProvider();
    let codeKey = '';
    const app = () => cloud.server.app;
    const inject = (
      method: 'GET' | 'POST' | 'PATCH' | 'PUT',
      url: string,
      headers: Record<string, string>,
      payload?: unknown,
    ) =>
      app().inject({
        method,
        url,
        headers,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const sealed = (parcelId: string, pickupCode: string, pickupToken: string) =>
      sealCode({ pickupCode, pickupToken }, codeKey, sealedCodeContext(CABINET, parcelId));
    /** Staff checked the number: identity verification submitted with it and passed. */
    const verifyTel = async (user: { id: string; auth: Record<string, string> }, tel: string) => {
      const submit = await inject('PUT', '/v1/me/verification', user.auth, {
        tel,
        realName: '李某',
        prcId: VALID_PRC_ID,
        address: 'Xi an',
        photo: JPEG.toString('base64'),
      });
      expect(submit.statusCode, submit.body).toBe(202);
      const pass = await inject('POST', `/v1/admin/verifications/${user.id}`, cloud.admin, {
        decision: 'pass',
      });
      expect(pass.statusCode, pass.body).toBe(200);
      // The verification's own notification is not what these tests look at.
      const decided = (await inject('GET', '/v1/me/notifications', user.auth)).json() as {
        notifications: Array<{ id: string }>;
      };
      const ids = decided.notifications.map((n) => n.id);
      expect((await inject('POST', '/v1/me/notifications/ack', user.auth, { ids })).statusCode).toBe(200);
    };
    const recipient = async () => {
      const user = await userWithToken(app());
      const tel = uniqueTel();
      await verifyTel(user, tel);
      return { ...user, tel };
    };

    beforeAll(async () => {
      pgDb = dialect === 'postgres' ? await freshDatabase('parcels') : undefined;
      cloud = await startTestCloud(
        {
          ...(pgDb ? { database: { dialect: 'postgres' as const, url: pgDb.url } } : {}),
          accounts: { limits: { registrationsPerAddress: 1000, loginAttemptsPerAddress: 1000 } },
          notifications: { sendIntervalMs: 50, retryBaseMs: 10 },
          parcels: { reminderBeforeSec: 3600, sweepIntervalMs: 3_600_000 },
        },
        { delivery: sms },
      );
      const reg = await inject('POST', '/v1/admin/cabinets', cloud.admin, { id: CABINET, name: 'Gate A' });
      expect(reg.statusCode).toBe(201);
      const key = await inject('GET', '/v1/admin/code-key', cloud.admin);
      codeKey = (key.json() as { publicKey: string }).publicKey;
    });
    afterAll(async () => {
      await cloud?.close();
      await pgDb?.drop();
    });

    it('lets a courier announce a parcel and refuses a taken waybill, an unknown user and no recipient', async () => {
      const courier = await userWithToken(app());
      const unauth = await inject(
        'POST',
        '/v1/parcels',
        {},
        { waybill: 'WB-0', recipientTel: '13455555555' },
      );
      expect(unauth.statusCode).toBe(401);
      const ok = await inject('POST', '/v1/parcels', courier.auth, {
        waybill: 'WB-1',
        recipientTel: '13455555555',
        size: 'large',
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({
        state: 'announced',
        waybill: 'WB-1',
        size: 'large',
        announcedBy: courier.id,
      });
      const again = await inject('POST', '/v1/parcels', courier.auth, {
        waybill: 'WB-1',
        recipientTel: '13455555555',
      });
      expect([again.statusCode, again.json().error.code]).toEqual([409, 'WAYBILL_TAKEN']);
      const ghost = await inject('POST', '/v1/parcels', courier.auth, {
        waybill: 'WB-2',
        recipientUserId: `U2026-01-01${'0'.repeat(40)}`,
      });
      expect([ghost.statusCode, ghost.json().error.code]).toEqual([404, 'USER_NOT_FOUND']);
      const nobody = await inject('POST', '/v1/parcels', courier.auth, { waybill: 'WB-3' });
      expect([nobody.statusCode, nobody.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('links a deposit to its announcement and notifies the recipient with the code, stored only sealed', async () => {
      const courier = await userWithToken(app());
      const rec = await recipient();
      const announced = (
        await inject('POST', '/v1/parcels', courier.auth, { waybill: 'WB-10', recipientTel: rec.tel })
      ).json() as ParcelBody;
      const ev = event('parcel.deposited', {
        boxNo: '01',
        parcelId: 'P-10',
        size: 'large',
        waybill: 'WB-10',
        expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        sealedCode: sealed('P-10', '482913', 'qr-token-abcdefghijkl'),
      });
      await cloud.server.parcels.service.applyEvent(ev);
      await cloud.server.parcels.service.applyEvent(ev); // a redelivery changes nothing

      const mine = (await inject('GET', '/v1/me/parcels', rec.auth)).json() as { parcels: ParcelBody[] };
      expect(mine.parcels).toEqual([
        expect.objectContaining({ id: announced.id, state: 'notified', boxNo: '01' }),
      ]);
      const theirs = (await inject('GET', '/v1/me/parcels?role=courier', courier.auth)).json() as {
        parcels: ParcelBody[];
      };
      expect(theirs.parcels.map((p) => p.id)).toEqual([announced.id]);

      const notes = (await inject('GET', '/v1/me/notifications', rec.auth)).json() as {
        notifications: Array<{ kind: string; payload: Record<string, unknown> }>;
      };
      const deposited = notes.notifications.filter((n) => n.kind === 'parcel.deposited');
      expect(deposited).toHaveLength(1);
      expect(deposited[0]?.payload).toMatchObject({
        parcelId: announced.id,
        pickupCode: '482913',
        qrPayload: 'qr-token-abcdefghijkl',
        cabinetId: CABINET,
      });
      expect(String(deposited[0]?.payload.text)).toContain('Pickup code 482913.');
      expect(deposited[0]?.payload).not.toHaveProperty('sealedCode');

      // At rest: sealed in the parcel and the notification, nowhere in the clear.
      const rows = await cloud.server.db.selectFrom('notifications').select('payload').execute();
      const parcelRows = await cloud.server.db.selectFrom('parcels').selectAll().execute();
      const events = await cloud.server.db.selectFrom('cabinet_events').select('data').execute();
      const atRest = JSON.stringify([rows, parcelRows, events]);
      expect(atRest).toContain('sealedCode');
      expect(atRest).not.toContain('482913');
      expect(atRest).not.toContain('qr-token-abcdefghijkl');

      // The courier hears of the deposit but never gets the code.
      const courierNotes = JSON.stringify((await inject('GET', '/v1/me/notifications', courier.auth)).json());
      expect(courierNotes).toContain('parcel.deposited');
      expect(courierNotes).not.toContain('482913');
    });

    it('notifies in the app a recipient who registered with the announced phone only after the announcement', async () => {
      const courier = await userWithToken(app());
      const tel = uniqueTel();
      await inject('POST', '/v1/parcels', courier.auth, { waybill: 'WB-15', recipientTel: tel });
      const late = await userWithToken(app());
      await verifyTel(late, tel);
      await cloud.server.parcels.service.applyEvent(
        event('parcel.deposited', {
          boxNo: '05',
          parcelId: 'P-15',
          waybill: 'WB-15',
          sealedCode: sealed('P-15', '151515', 'qr-token-fifteen-00000'),
        }),
      );
      const notes = (await inject('GET', '/v1/me/notifications', late.auth)).json() as {
        notifications: Array<{ payload: { pickupCode?: string } }>;
      };
      expect(notes.notifications.map((n) => n.payload.pickupCode)).toEqual(['151515']);
      expect(sms.sent.filter((m) => m.to === tel)).toEqual([]);
    });

    it('texts the number instead of telling an unverified account that merely claims it', async () => {
      const squatter = await userWithToken(app());
      const tel = uniqueTel();
      expect((await inject('PATCH', '/v1/me', squatter.auth, { tel })).statusCode).toBe(200);
      await cloud.server.parcels.service.applyEvent(
        event('parcel.deposited', {
          boxNo: '08',
          parcelId: 'P-16',
          recipientTel: tel,
          sealedCode: sealed('P-16', '161616', 'qr-token-sixteen-00000'),
        }),
      );
      await expect
        .poll(() => sms.sent.filter((m) => m.to === tel).map((m) => m.data.pickupCode), { timeout: 10_000 })
        .toEqual(['161616']);
      expect(
        JSON.stringify((await inject('GET', '/v1/me/notifications', squatter.auth)).json()),
      ).not.toContain('161616');
      expect(
        ((await inject('GET', '/v1/me/parcels', squatter.auth)).json() as { parcels: unknown[] }).parcels,
      ).toEqual([]);
    });

    it('pushes the opened code to the recipient over the socket as the deposit arrives', async () => {
      const rec = await recipient();
      const phone = await Phone.connect(
        `${cloud.server.httpUrl.replace('http', 'ws')}/v1/notifications/ws`,
        rec.auth,
      );
      await cloud.server.parcels.service.applyEvent(
        event('parcel.deposited', {
          boxNo: '09',
          parcelId: 'P-17',
          recipientTel: rec.tel,
          sealedCode: sealed('P-17', '171717', 'qr-token-seventeen-000'),
        }),
      );
      const frame = await phone.next('notification');
      expect(frame.notification).toMatchObject({
        kind: 'parcel.deposited',
        payload: { pickupCode: '171717', qrPayload: 'qr-token-seventeen-000', boxNo: '09' },
      });
      expect(JSON.stringify(frame)).not.toContain('sealedCode');
      await phone.close();
    });

    it('shows a parcel to its recipient and courier only', async () => {
      const courier = await userWithToken(app());
      const stranger = await userWithToken(app());
      const p = (
        await inject('POST', '/v1/parcels', courier.auth, { waybill: 'WB-20', recipientTel: '13400000020' })
      ).json() as ParcelBody;
      expect((await inject('GET', `/v1/parcels/${p.id}`, courier.auth)).statusCode).toBe(200);
      const other = await inject('GET', `/v1/parcels/${p.id}`, stranger.auth);
      expect([other.statusCode, other.json().error.code]).toEqual([404, 'PARCEL_NOT_FOUND']);
      expect(
        ((await inject('GET', '/v1/me/parcels', stranger.auth)).json() as { parcels: unknown[] }).parcels,
      ).toEqual([]);
    });

    it('texts a recipient without an account, opening the code only for the provider, and retries a failed send', async () => {
      sms.failNext(1);
      await cloud.server.parcels.service.applyEvent(
        event('parcel.deposited', {
          boxNo: '02',
          parcelId: 'P-30',
          recipientTel: '13499990030',
          sealedCode: sealed('P-30', '730021', 'qr-token-thirty-000000'),
        }),
      );
      await expect
        .poll(() => sms.sent.filter((m) => m.to === '13499990030').length, { timeout: 10_000 })
        .toBe(1);
      const msg = sms.sent.find((m) => m.to === '13499990030');
      expect(msg).toMatchObject({ channel: 'sms', kind: 'parcel.deposited', data: { pickupCode: '730021' } });
      expect(msg?.text).toContain('Pickup code 730021.');
      const row = await cloud.server.db
        .selectFrom('outbound_messages')
        .selectAll()
        .where('to_address', '=', '13499990030')
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(2);
      expect(row.sent_at).not.toBeNull();
      expect(row.payload).not.toContain('730021');
    });

    it('follows pickup and forgets the sealed code once the parcel left the box', async () => {
      const rec = await recipient();
      await cloud.server.parcels.service.applyEvent(
        event('parcel.deposited', {
          boxNo: '03',
          parcelId: 'P-40',
          recipientTel: rec.tel,
          sealedCode: sealed('P-40', '111222', 'qr-token-forty-0000000'),
        }),
      );
      await cloud.server.parcels.service.applyEvent(
        event('parcel.picked_up', { boxNo: '03', parcelId: 'P-40', via: 'code' }),
      );
      const row = await cloud.server.db
        .selectFrom('parcels')
        .selectAll()
        .where('cabinet_parcel_id', '=', 'P-40')
        .executeTakeFirstOrThrow();
      expect(row.state).toBe('picked_up');
      expect(row.sealed_code).toBeNull();
      const kinds = (
        (await inject('GET', '/v1/me/notifications', rec.auth)).json() as {
          notifications: Array<{ kind: string }>;
        }
      ).notifications.map((n) => n.kind);
      expect(kinds).toEqual(['parcel.deposited', 'parcel.picked_up']);
    });

    it('reminds once before expiry, expires in the sweep, and takes the cabinet expiry and recollection in stride', async () => {
      const rec = await recipient();
      const service = cloud.server.parcels.service;
      const expiresAt = new Date(Date.now() + 30 * 60_000).toISOString();
      await service.applyEvent(
        event('parcel.deposited', {
          boxNo: '04',
          parcelId: 'P-50',
          recipientTel: rec.tel,
          expiresAt,
          sealedCode: sealed('P-50', '505050', 'qr-token-fifty-0000000'),
        }),
      );
      const first = await service.sweep(new Date(), 3_600_000);
      const second = await service.sweep(new Date(), 3_600_000);
      expect(first.reminded).toBeGreaterThanOrEqual(1);
      expect(second.reminded).toBe(0);
      const notes = () =>
        inject('GET', '/v1/me/notifications', rec.auth).then(
          (r) =>
            (r.json() as { notifications: Array<{ kind: string; payload: Record<string, unknown> }> })
              .notifications,
        );
      const reminder = (await notes()).find((n) => n.kind === 'parcel.reminder');
      expect(reminder?.payload).toMatchObject({ pickupCode: '505050', expiresAt });

      const later = new Date(Date.parse(expiresAt) + 1000);
      expect((await service.sweep(later, 3_600_000)).expired).toBeGreaterThanOrEqual(1);
      expect((await service.sweep(later, 3_600_000)).expired).toBe(0);
      await service.applyEvent(event('parcel.expired', { boxNo: '04', parcelId: 'P-50' }));
      await service.applyEvent(
        event('parcel.recollected', { boxNo: '04', parcelId: 'P-50', courierId: 'C-1' }),
      );
      expect((await notes()).map((n) => n.kind)).toEqual([
        'parcel.deposited',
        'parcel.reminder',
        'parcel.expired',
        'parcel.recollected',
      ]);
      const admin = await inject(
        'GET',
        `/v1/admin/parcels?state=recollected&cabinetId=${CABINET}`,
        cloud.admin,
      );
      expect((admin.json() as { parcels: Array<{ boxNo: string }> }).parcels.map((p) => p.boxNo)).toContain(
        '04',
      );
    });

    it('catches up on a stored deposit event the live path never applied, and notifies once', async () => {
      const rec = await recipient();
      const missed = event('parcel.deposited', {
        boxNo: '06',
        parcelId: 'P-70',
        recipientTel: rec.tel,
        sealedCode: sealed('P-70', '707070', 'qr-token-seventy-00000'),
      });
      const handled = event('parcel.deposited', {
        boxNo: '07',
        parcelId: 'P-71',
        recipientTel: rec.tel,
        sealedCode: sealed('P-71', '717171', 'qr-token-seventyone-00'),
      });
      // Stored as FleetLink stores them; only the second one reaches the parcel side live.
      await cloud.server.cabinets.recordEvent(missed);
      await cloud.server.cabinets.recordEvent(handled);
      await cloud.server.parcels.service.applyEvent(handled);
      const later = new Date(Date.now() + 60_000);
      while ((await cloud.server.parcels.catchUp.pass(later)) > 0) {}
      expect(await cloud.server.parcels.catchUp.pass(later)).toBe(0);
      const codes = (
        (await inject('GET', '/v1/me/notifications', rec.auth)).json() as {
          notifications: Array<{ payload: { pickupCode?: string } }>;
        }
      ).notifications.map((n) => n.payload.pickupCode);
      expect(codes.sort()).toEqual(['707070', '717171']);
    });

    it('applies a deposit event that a cabinet publishes over MQTT', async () => {
      const rec = await recipient();
      const reg = await inject('POST', '/v1/admin/cabinets', cloud.admin, {
        id: 'PX0001',
        name: 'MQTT cabinet',
      });
      const creds = (reg.json() as { broker: { username: string; password: string } }).broker;
      const client = await mqtt.connectAsync(cloud.server.brokerUrl, {
        ...creds,
        clientId: 'cabinet-PX0001',
        reconnectPeriod: 0,
      });
      const ev = {
        ...event('parcel.deposited', {
          boxNo: '01',
          parcelId: 'P-60',
          recipientTel: rec.tel,
          sealedCode: sealCode(
            { pickupCode: '606060', pickupToken: 'qr-token-sixty-000000' },
            codeKey,
            sealedCodeContext('PX0001', 'P-60'),
          ),
        }),
        cabinetId: 'PX0001',
        seq: 1,
      };
      await client.publishAsync(topics.events('PX0001'), JSON.stringify(ev), { qos: 1 });
      await expect
        .poll(
          async () =>
            (await inject('GET', '/v1/me/notifications', rec.auth)).json().notifications[0]?.payload
              ?.pickupCode,
          {
            timeout: 10_000,
          },
        )
        .toBe('606060');
      await client.endAsync();
      const list = (await inject('GET', '/v1/admin/parcels?cabinetId=PX0001', cloud.admin)).json() as {
        parcels: ParcelBody[];
      };
      expect(list.parcels).toEqual([expect.objectContaining({ state: 'notified' })]);
      expect(JSON.stringify(list)).not.toContain('sealed');
    });
  },
);
