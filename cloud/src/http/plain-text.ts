import { LockerError } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';

/**
 * C0 controls except tab, line feed and carriage return, DEL, and the C1 block. A NUL stored in a
 * name ends the string early in C tools and logs; escapes rewrite a terminal; none is ever text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Throws TEXT_CONTROL_CHARACTER naming the first field whose string holds a control character. */
export function refuseControlCharacters(value: unknown, where: string): void {
  if (typeof value === 'string') {
    if (CONTROL.test(value)) {
      throw new LockerError('TEXT_CONTROL_CHARACTER', `${where} holds a control character`);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) refuseControlCharacters(v, `${where}[${i}]`);
    return;
  }
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) refuseControlCharacters(v, `${where}.${k}`);
  }
}

/**
 * One guard for every route, before any schema or handler runs, so a refused request changes
 * nothing: every string in the parsed body, query and path parameters. Multipart fields are read
 * by the handler (Dingo), which calls `refuseControlCharacters` on them itself.
 */
export function refuseControlCharactersInText(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    refuseControlCharacters(req.params, 'path');
    refuseControlCharacters(req.query, 'query');
    refuseControlCharacters(req.body, 'body');
  });
}
