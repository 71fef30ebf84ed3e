import { errorFromFramework, LockerError, parseOrThrow } from '@locker/protocol';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { MAX_PHOTO_BYTES } from '../accounts/profile-photo.js';
import { refuseControlCharacters } from '../http/plain-text.js';

export interface DingoForm {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

/**
 * Reads the fields of a Dingo request the way the 2016 clients send them: form-encoded, or
 * multipart when a photo is attached. A repeated field keeps its first value.
 */
export async function readDingoForm(req: FastifyRequest): Promise<DingoForm> {
  const form: DingoForm = { fields: {}, files: {} };
  if (req.isMultipart()) {
    try {
      for await (const part of req.parts({ limits: { fileSize: MAX_PHOTO_BYTES, files: 2, fields: 30 } })) {
        if (part.type === 'file') {
          const data = await part.toBuffer().catch((err: { code?: string }) => {
            if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
              throw new LockerError('PHOTO_TOO_LARGE', `photo is larger than ${MAX_PHOTO_BYTES} bytes`);
            }
            throw err;
          });
          form.files[part.fieldname] ??= data;
        } else if (typeof part.value === 'string') {
          form.fields[part.fieldname] ??= part.value;
        }
      }
    } catch (err) {
      // The parser's own errors for a body that ends early or breaks the format are plain Errors
      // ("Unexpected end of multipart data"): the client's fault, not a 500.
      if (errorFromFramework(err)) throw err;
      throw new LockerError('VALIDATION_FAILED', 'the multipart body is cut off or malformed');
    }
    refuseControlCharacters(form.fields, 'form');
    return form;
  }
  // Only a parsed form is an object; a text/plain or empty body carries no fields.
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') form.fields[k] = value;
  }
  return form;
}

/** Parses the fields with a schema; a missing or malformed field is VALIDATION_FAILED. */
export async function dingoFields<T>(
  req: FastifyRequest,
  schema: z.ZodType<T>,
): Promise<{ data: T; form: DingoForm }> {
  const form = await readDingoForm(req);
  return { data: parseOrThrow(schema, form.fields, 'VALIDATION_FAILED', 'form'), form };
}

/** A photo sent as a multipart file, or (for simple clients) as base64 text in the form field. */
export function photoOf(form: DingoForm, field = 'pic'): Buffer | undefined {
  const file = form.files[field];
  if (file) return file;
  const text = form.fields[field];
  return text ? Buffer.from(text, 'base64') : undefined;
}
