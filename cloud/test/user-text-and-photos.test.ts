import { crc32, deflateSync } from 'node:zlib';
import { LockerError } from '@locker/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES, parseProfilePhoto } from '../src/accounts/profile-photo.js';
import {
  DingoClient,
  PNG,
  registerV1,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  uniqueTel,
  userWithToken,
  VALID_PRC_ID,
} from './accounts-helpers.js';

type Res = { statusCode: number; json: () => unknown };
const failure = (res: Res) => [res.statusCode, (res.json() as { error: { code: string } }).error.code];
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: unknown) => (err instanceof LockerError ? err.code : String(err)),
  );

/** A PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A valid grayscale PNG of side × side black pixels: tiny on disk, huge once decoded. */
function pngBomb(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(side * (side + 1)); // each row: filter byte 0, then zeros
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('photos must decode as images of sane size (issue 13, defect 7)', () => {
  it('refuses the 9-byte "PNG" that passed the magic-number check', async () => {
    const nineBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]);
    expect(await codeOf(parseProfilePhoto(nineBytes))).toBe('NOT_AN_IMAGE');
  });

  it('refuses a real PNG cut off before its pixels end', async () => {
    const cut = pngBomb(64).subarray(0, 60);
    expect(await codeOf(parseProfilePhoto(cut))).toBe('NOT_AN_IMAGE');
  });

  it('refuses a decompression bomb: a small file whose canvas is 36 megapixels', async () => {
    const bomb = pngBomb(6000);
    expect(bomb.length).toBeLessThan(MAX_PHOTO_BYTES);
    expect(await codeOf(parseProfilePhoto(bomb))).toBe('PHOTO_TOO_LARGE');
  });

  it('accepts a modest real PNG', async () => {
    expect((await parseProfilePhoto(pngBomb(256))).contentType).toBe('image/png');
  });
});

describe('control characters in text fields (issue 13, defect 7)', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('refuses a NUL in a real name with a coded error and stores nothing', async () => {
    const me = await userWithToken(app);
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: {
        tel: uniqueTel(),
        realName: '王\u0000五',
        prcId: VALID_PRC_ID,
        address: 'x',
        photo: PNG.toString('base64'),
      },
    });
    expect(failure(res)).toEqual([400, 'TEXT_CONTROL_CHARACTER']);
    const state = await app.inject({ method: 'GET', url: '/v1/me/verification', headers: me.auth });
    expect((state.json() as { status: string }).status).toBe('none');
    const avatar = await app.inject({ method: 'GET', url: `/v1/users/${me.id}/avatar`, headers: me.auth });
    expect(failure(avatar)).toEqual([404, 'AVATAR_NOT_FOUND']);
  });

  it('refuses escape and DEL in an address but keeps line breaks as text', async () => {
    const me = await userWithToken(app);
    for (const addr of ['Road 1\u001b[2J', 'Road\u007f 2', 'Road\u0085 3']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/me/addresses',
        headers: me.auth,
        payload: { addr, zip: '710000' },
      });
      expect(failure(res)).toEqual([400, 'TEXT_CONTROL_CHARACTER']);
    }
    const list = await app.inject({ method: 'GET', url: '/v1/me/addresses', headers: me.auth });
    expect(JSON.stringify(list.json())).not.toContain('Road');
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: me.auth,
      payload: { addr: 'Building 2\nRoom 301', zip: '710000' },
    });
    expect(ok.statusCode).toBeLessThan(300);
  });

  it('refuses a NUL in a Dingo form field, form-encoded or multipart', async () => {
    const user = await registerV1(app);
    const client = new DingoClient(app);
    await client.login('name', user.name, user.password);
    const form = await client.post('/usrinfochange', {
      name: uniqueName(),
      tel: uniqueTel(),
      rname: 'a\u0000b',
      prcid: VALID_PRC_ID,
      addr: 'x',
    });
    expect(form.headers.status).toBe('FAILED');
    // Dingo codes are upper-case letters and digits only (its appendix B).
    expect(form.body).toContain('TEXTCONTROLCHARACTER');
    const multi = await client.postMultipart(
      '/identify',
      { tel: uniqueTel(), rname: 'a\u0000b', prcid: VALID_PRC_ID, addr: 'x' },
      { pic: PNG },
    );
    expect(multi.headers.status).toBe('FAILED');
    expect(multi.body).toContain('TEXTCONTROLCHARACTER');
    expect((await client.post('/identified')).body).toBe('NONE');
  });
});
