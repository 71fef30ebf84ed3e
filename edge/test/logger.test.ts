import { Writable } from 'node:stream';
import { SECRET_FIELDS } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('the edge log redaction', () => {
  it('keeps the error code of a log line readable', () => {
    const { lines, stream } = capture();
    createLogger('trace', '610091A01', stream).warn({ code: 'LOCK_TIMEOUT', boxNo: '07' }, 'unlock failed');
    expect(lines[0]).toMatchObject({ code: 'LOCK_TIMEOUT', boxNo: '07' });
  });

  it.each(SECRET_FIELDS)('redacts %s at the top level and nested', (field) => {
    const { lines, stream } = capture();
    const secret = `s3cret-${field}`;
    createLogger('trace', '610091A01', stream).info(
      { [field]: secret, req: { [field]: secret }, flow: { body: { [field]: secret } } },
      'a line',
    );
    expect(JSON.stringify(lines[0])).not.toContain(secret);
    expect(lines[0]?.[field]).toBe('[redacted]');
  });
});
