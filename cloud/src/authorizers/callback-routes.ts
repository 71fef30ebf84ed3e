import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../http/schemas.js';
import { AuthorizerAnswer, CallbackAnswer } from './schemas.js';
import type { ThirdPartyService } from './third-party-service.js';
import { SIGNATURE_HEADERS } from './webhook-signature.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Step E by callback, `POST /v1/authorizers/callback`: no bearer token, the authorizer's
 * signature is the credential. The signature covers the body's exact bytes, so this scope keeps
 * the raw text beside the parsed body.
 */
export async function callbackRoutes(
  app: FastifyInstance,
  deps: { service: ThirdPartyService },
): Promise<void> {
  const raw = new WeakMap<FastifyRequest, string>();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    raw.set(req, text);
    parseJson(req, text, done);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/callback',
    {
      schema: {
        tags: ['authorizers'],
        summary: "Method 2, step E: an authorizer's later answer, signed with its secret",
        description:
          'Headers X-Locker-Timestamp (Unix seconds) and X-Locker-Signature (v1=hex HMAC-SHA256 of ' +
          'timestamp + "." + body), optionally X-Locker-Authorizer. See docs/authorizers.md.',
        body: AuthorizerAnswer,
        response: {
          200: CallbackAnswer,
          400: ErrorResponse.describe('VALIDATION_FAILED'),
          401: ErrorResponse.describe('SIGNATURE_INVALID, SIGNATURE_REPLAYED, TIMESTAMP_OUT_OF_WINDOW'),
          403: ErrorResponse.describe('NOT_THE_HOLDER, USER_DISABLED'),
          404: ErrorResponse.describe('AUTHORIZATION_REQUEST_NOT_FOUND, GRANTEE_UNKNOWN'),
          409: ErrorResponse.describe(
            'AUTHORIZER_DISABLED, AUTHORIZATION_REQUEST_ANSWERED, ANSWER_MISMATCH, GRANTEE_DISABLED, BOX_ALREADY_GRANTED',
          ),
          410: ErrorResponse.describe('AUTHORIZATION_REQUEST_EXPIRED, GRANT_EXPIRED'),
        },
      },
    },
    async (req) => {
      const { authorizer, answer } = await deps.service.verified({
        body: raw.get(req) ?? '',
        timestamp: header(req, SIGNATURE_HEADERS.timestamp),
        signature: header(req, SIGNATURE_HEADERS.signature),
        authorizerNo: header(req, SIGNATURE_HEADERS.authorizer),
      });
      const { request, grant } = await deps.service.answer(authorizer, answer, 'callback');
      return { requestId: request.id, state: 'granted' as const, grantId: grant.id };
    },
  );
}
