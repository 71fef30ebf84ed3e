import { errorFromFramework, LockerError } from '@locker/protocol';
import Fastify, { errorCodes } from 'fastify';
import { describe, expect, it } from 'vitest';
import { installDingoErrorHandling } from '../src/dingo/envelope.js';
import { installErrorHandler } from '../src/http/error-handler.js';

/**
 * Issue 13, defect 10: the cloud mapped fastify's errors by FST code, the kiosk by HTTP status, and
 * the Dingo envelope had a table of its own. All three now answer what @locker/protocol's
 * `errorFromFramework` says; the kiosk's side is edge/test/kiosk-error-mapping.test.ts.
 */
function frameworkErrors(): Error[] {
  const fromFastify = Object.entries(errorCodes).flatMap(([, E]) => {
    try {
      const e = new (E as new (...a: string[]) => Error & { statusCode?: number })('a', 'b', 'c');
      return e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 ? [e] : [];
    } catch {
      return [];
    }
  });
  const plugin = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });
  return [
    ...fromFastify,
    plugin('FST_REQ_FILE_TOO_LARGE', 413),
    plugin('FST_FILES_LIMIT', 413),
    plugin('FST_PROTO_VIOLATION', 400),
    plugin('FST_INVALID_MULTIPART_CONTENT_TYPE', 406),
    new LockerError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 }),
  ];
}

async function answersOf(install: (app: ReturnType<typeof Fastify>) => void) {
  const errors = frameworkErrors();
  const app = Fastify({ logger: false });
  install(app);
  app.get<{ Params: { i: string } }>('/throw/:i', async (req) => {
    throw errors[Number(req.params.i)];
  });
  const answers = [];
  for (let i = 0; i < errors.length; i++) {
    const res = await app.inject({ method: 'GET', url: `/throw/${i}` });
    answers.push({ error: errors[i] as Error, res });
  }
  await app.close();
  return answers;
}

describe('one mapping of framework errors in every cloud handler', () => {
  it('answers every fastify and multipart client error on /v1 with the code and status of the protocol mapping', async () => {
    const answers = await answersOf((app) => installErrorHandler(app));
    expect(answers.length).toBeGreaterThan(12);
    for (const { error, res } of answers) {
      const expected = errorFromFramework(error);
      expect(expected, (error as { code?: string }).code).toBeDefined();
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({
        status: expected?.httpStatus,
        code: expected?.code,
      });
    }
  });

  it('answers the same errors in the Dingo envelope with the same status and the code without underscores', async () => {
    const answers = await answersOf((app) =>
      installDingoErrorHandling(app, { failuresAsHttp200: false, prefix: '/dingo' }),
    );
    for (const { error, res } of answers) {
      const expected = errorFromFramework(error);
      expect({ status: res.statusCode, reason: res.body, STATUS: res.headers.status }).toEqual({
        status: expected?.httpStatus,
        reason: expected?.code.replaceAll('_', ''),
        STATUS: 'FAILED',
      });
    }
  });

  it('tells a /v1 client when to retry after RATE_LIMITED, as Dingo does', async () => {
    const answers = await answersOf((app) => installErrorHandler(app));
    const limited = answers.find((a) => a.res.statusCode === 429);
    expect(limited?.res.headers['retry-after']).toBe('7');
  });
});
