import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DingoClient,
  loginV1,
  registerV1,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
} from './accounts-helpers.js';

/**
 * Issue 13, defect 6 and the bodiless-DELETE item: every error has the documented shape, `ErrorBody`
 * under /v1 and the STATUS/CONTEXT-WHERE envelope under /dingo, even when fastify itself refuses
 * the request while routing or parsing.
 */
const ErrorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string() }).strict() })
  .strict();

type Operation = { method: string; path: string; hasBody: boolean };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

describe('error shapes for requests fastify refuses itself', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  let operations: Operation[];
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
    const paths = (app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> })
      .paths;
    operations = Object.entries(paths).flatMap(([path, ops]) =>
      METHODS.filter((m) => ops[m]).map((m) => ({
        method: m.toUpperCase(),
        path,
        hasBody: ops[m]?.requestBody !== undefined,
      })),
    );
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('answers an overlong path id on every route with a path parameter with 400 VALIDATION_FAILED in ErrorBody', async () => {
    const withParams = operations.filter((o) => o.path.includes('{'));
    expect(withParams.length).toBeGreaterThanOrEqual(8);
    for (const op of withParams) {
      const url = op.path.replaceAll(/\{[^}]+\}/g, 'U'.repeat(300));
      const res = await app.inject({ method: op.method as 'GET', url, headers: cloud.admin });
      const where = `${op.method} ${op.path}`;
      expect(res.statusCode, where).toBe(400);
      expect(ErrorResponse.parse(res.json()).error.code, where).toBe('VALIDATION_FAILED');
      expect(res.body, where).not.toContain('FST_');
    }
  });

  it('answers a badly encoded path in ErrorBody under /v1 and in the envelope under /dingo', async () => {
    const v1 = await app.inject({ method: 'GET', url: '/v1/users/%E0%A4%A' });
    expect(v1.statusCode).toBe(400);
    expect(ErrorResponse.parse(v1.json()).error.code).toBe('VALIDATION_FAILED');
    const dingo = await app.inject({ method: 'POST', url: '/dingo/%E0%A4%A' });
    expect([dingo.statusCode, dingo.headers.status, dingo.headers['context-where'], dingo.body]).toEqual([
      400,
      'FAILED',
      'BODY',
      'VALIDATIONFAILED',
    ]);
  });

  it('answers a cut-off Dingo multipart body with VALIDATIONFAILED in the envelope and stores nothing', async () => {
    const dingo = new DingoClient(app);
    const name = uniqueName('cut');
    await dingo.post('/regist', { name, pash: sha256hex('pw') });
    await dingo.login('name', name, 'pw');
    const b = 'cutoffboundary';
    const field = (k: string, v: string) =>
      `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    const cuts = [
      // inside the photo, before its closing boundary
      `${field('tel', '13800000000')}--${b}\r\nContent-Disposition: form-data; name="pic"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0`,
      // inside a part's headers
      `${field('tel', '13800000000')}--${b}\r\nContent-Dispos`,
      // after a field, before the closing boundary
      field('tel', '13800000000'),
      // nothing but the start of a boundary
      `--${b}`,
    ];
    for (const body of cuts) {
      const res = await app.inject({
        method: 'POST',
        url: '/dingo/identify',
        headers: { 'content-type': `multipart/form-data; boundary=${b}`, 'tmp-token': dingo.token ?? '' },
        payload: Buffer.from(body, 'latin1'),
      });
      expect([res.statusCode, res.headers.status, res.headers['context-where'], res.body], body).toEqual([
        400,
        'FAILED',
        'BODY',
        'VALIDATIONFAILED',
      ]);
    }
    const state = await dingo.post('/identified');
    expect(state.body).toBe('NONE');
  });

  it('accepts content-type: application/json with no body on DELETE /v1/sessions/current and logs out', async () => {
    const user = await registerV1(app);
    const token = await loginV1(app, user.name, user.password);
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/sessions/current',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
    const me = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json().error.code).toBe('TOKEN_REVOKED');
  });

  it('answers every bodiless route alike with and without an empty JSON body', async () => {
    const user = await registerV1(app);
    const bodiless = operations.filter((o) => !o.hasBody);
    expect(bodiless.length).toBeGreaterThan(15);
    for (const op of bodiless) {
      const url = op.path.replaceAll(/\{[^}]+\}/g, 'x');
      const send = async (extra: Record<string, string>) => {
        // A fresh token each time: logging out revokes the one it is sent with. Either API's
        // token works on both, so the same one goes as TMP-TOKEN.
        const token = await loginV1(app, user.name, user.password);
        const auth = op.path.startsWith('/v1/admin') ? cloud.admin : { authorization: `Bearer ${token}` };
        const res = await app.inject({
          method: op.method as 'GET',
          url,
          headers: { ...auth, 'tmp-token': token, ...extra },
        });
        return { status: res.statusCode, error: res.statusCode >= 400 ? res.body : '' };
      };
      const without = await send({});
      const withEmptyJson = await send({ 'content-type': 'application/json' });
      expect(withEmptyJson, `${op.method} ${op.path}`).toEqual(without);
    }
  });

  it('still refuses an empty JSON body where a body is required, in ErrorBody', async () => {
    const withBody = operations.filter((o) => o.hasBody && o.path.startsWith('/v1/'));
    for (const op of withBody) {
      const url = op.path.replaceAll(/\{[^}]+\}/g, 'x');
      const res = await app.inject({
        method: op.method as 'POST',
        url,
        headers: { ...cloud.admin, 'content-type': 'application/json' },
      });
      const where = `${op.method} ${op.path}`;
      expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, where).toBeLessThan(500);
      ErrorResponse.parse(res.json());
    }
  });
});
