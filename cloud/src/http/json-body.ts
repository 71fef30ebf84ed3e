import type { FastifyInstance } from 'fastify';

/**
 * Many HTTP clients send `content-type: application/json` on every request, with no body on a
 * DELETE or a bodiless POST. Fastify's own parser refuses that ("Body cannot be empty"); this one
 * reads an empty body as no body, so bodiless routes accept it and routes that need a body refuse
 * it through their schema like any missing body. Anything else goes to fastify's parser, with its
 * prototype-poisoning checks set to refuse.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    if (text === '') {
      done(null, undefined);
      return;
    }
    parseJson(req, text, done);
  });
}
