import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { codeKeyFromPrivate, newCodeKeyPair, sealCode } from '@locker/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeOpener } from '../src/notifications/code-opener.js';
import {
  HttpDeliveryProvider,
  type OutboundMessage,
  RecordingProvider,
} from '../src/notifications/delivery.js';

const message: OutboundMessage = {
  id: 'M1',
  channel: 'sms',
  to: '13499996666',
  kind: 'parcel.deposited',
  text: 'Your parcel is in box 01.',
  data: { boxNo: '01' },
};

describe('delivery providers', () => {
  let server: Server;
  let url = '';
  const got: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  let answer = 202;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        got.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{"echo":"ignored"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${addr.port}/send`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('posts one JSON message with its idempotency key and the API key to a gateway', async () => {
    answer = 202;
    await new HttpDeliveryProvider({ url, token: 'api-key-123' }).send(message);
    expect(got.at(-1)?.body).toEqual(message);
    expect(got.at(-1)?.headers).toMatchObject({
      'idempotency-key': 'M1',
      authorization: 'Bearer api-key-123',
    });
  });

  it('throws when the gateway answers with an error status, so the message is retried', async () => {
    answer = 503;
    await expect(new HttpDeliveryProvider({ url }).send(message)).rejects.toThrow('HTTP 503');
  });

  it('throws when the gateway is unreachable', async () => {
    await expect(
      new HttpDeliveryProvider({ url: 'http://127.0.0.1:1/x', timeoutMs: 2000 }).send(message),
    ).rejects.toThrow();
  });

  it('records messages and fails on request in the recording provider', async () => {
    const rec = new RecordingProvider();
    rec.failNext(1);
    await expect(rec.send(message)).rejects.toThrow();
    await rec.send(message);
    expect(rec.sent).toEqual([message]);
  });
});

describe('the code opener', () => {
  const pair = newCodeKeyPair();
  const opener = CodeOpener.fromConfig(pair.privateKey, 'unused-admin-token-0123456789');

  it('fills the code into the text and drops the sealed box', () => {
    const sealedCode = sealCode(
      { pickupCode: '123456', pickupToken: 'tok-0123456789abcdef' },
      pair.publicKey,
      'ctx',
    );
    expect(
      opener.reveal({
        text: 'Code {pickupCode}, QR {qrPayload}',
        sealedCode,
        codeContext: 'ctx',
        boxNo: '01',
      }),
    ).toEqual({
      text: 'Code 123456, QR tok-0123456789abcdef',
      boxNo: '01',
      pickupCode: '123456',
      qrPayload: 'tok-0123456789abcdef',
    });
  });

  it('sends the message without a code when the box does not open with this key', () => {
    const other = newCodeKeyPair();
    const sealedCode = sealCode(
      { pickupCode: '123456', pickupToken: 'tok-0123456789abcdef' },
      other.publicKey,
      'ctx',
    );
    expect(opener.reveal({ text: 'hi', sealedCode, codeContext: 'ctx' })).toEqual({
      text: 'hi',
      codeUnavailable: true,
    });
    expect(codeKeyFromPrivate(pair.privateKey).publicKey).toBe(opener.publicKey);
  });

  it('derives a stable key from the admin token when none is configured', () => {
    const a = CodeOpener.fromConfig(undefined, 'admin-token-0123456789abcdef');
    const b = CodeOpener.fromConfig(undefined, 'admin-token-0123456789abcdef');
    expect(a.publicKey).toBe(b.publicKey);
    expect(JSON.stringify({ a })).not.toContain(a.publicKey);
  });
});
