import { errorFromFramework } from '@locker/protocol';
import Fastify, { errorCodes } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../src/kiosk/error-handler.js';

/**
 * Issue 13, defect 10: the kiosk mapped fastify's errors by HTTP status while the cloud mapped them
 * by code. It now answers what @locker/protocol's `errorFromFramework` says, as the cloud does
 * (cloud/test/http-error-mapping.test.ts).
 */
function clientErrors(): Error[] {
  const fromFastify = Object.entries(errorCodes).flatMap(([, E]) => {
    try {
      const e = new (E as new (...a: string[]) => Error & { statusCode?: number })('a', 'b', 'c');
      return e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 ? [e] : [];
    } catch {
      return [];
    }
  });
  return [
    ...fromFastify,
    Object.assign(new Error('file'), { code: 'FST_REQ_FILE_TOO_LARGE', statusCode: 413 }),
  ];
}

describe('the kiosk error handler', () => {
  it('answers every fastify client error with the code and status of the protocol mapping', async () => {
    const errors = clientErrors();
    const app = Fastify({ logger: false });
    installErrorHandler(app, pino({ level: 'silent' }));
    app.get<{ Params: { i: string } }>('/throw/:i', async (req) => {
      throw errors[Number(req.params.i)];
    });
    expect(errors.length).toBeGreaterThan(10);
    for (let i = 0; i < errors.length; i++) {
      const res = await app.inject({ method: 'GET', url: `/throw/${i}` });
      const expected = errorFromFramework(errors[i]);
      expect({
        code: (errors[i] as { code?: string }).code,
        status: res.statusCode,
        body: res.json(),
      }).toEqual({
        code: (errors[i] as { code?: string }).code,
        status: expected?.httpStatus,
        body: { error: expected?.toBody() },
      });
    }
    await app.close();
  });
});
