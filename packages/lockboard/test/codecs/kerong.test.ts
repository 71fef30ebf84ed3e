import { describe, expect, it } from 'vitest';
import { hex } from '../../src/codecs/codec.js';
import { KerongCodec } from '../../src/codecs/kerong.js';
import { bytes } from '../helpers/bytes.js';

const codec = new KerongCodec();

describe('Kerong KR-CU requests are encoded byte for byte', () => {
  it('encodes unlock of board 0 lock 1 as 02 00 31 03 36', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock', board: 0, lock: 1 }))).toBe('02 00 31 03 36');
  });
  it('encodes status of board 0 as 02 00 30 03 35', () => {
    expect(hex(codec.encodeRequest({ op: 'query-all', board: 0 }))).toBe('02 00 30 03 35');
  });
  it('puts board*16 + lock-1 in the address byte', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock', board: 2, lock: 16 }))).toBe('02 2F 31 03 65');
  });
  it('encodes unlock-all of board 1 as 02 10 33 03 48', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock-all', board: 1 }))).toBe('02 10 33 03 48');
  });
  it('refuses a multi-open, which the board family does not have', () => {
    expect(() => codec.encodeRequest({ op: 'multi-open', board: 0, locks: [1] })).toThrow(/multi-open/);
  });
});

describe('Kerong KR-CU status replies are decoded byte for byte', () => {
  it('reads lock bytes and infrared bytes of the 9-byte reply', () => {
    const d = codec.createReplyDecoder();
    const [reply] = d.push(bytes('02 00 35 05 80 01 00 03 C0'));
    expect(reply).toMatchObject({ kind: 'board-status', board: 0, lock: 1 });
    if (reply?.kind !== 'board-status') throw new Error('expected a board status');
    expect(reply.doorsOpen.flatMap((b, i) => (b ? [i + 1] : []))).toEqual([1, 3, 16]);
    expect(reply.irBits?.flatMap((b, i) => (b ? [i + 1] : []))).toEqual([1]);
  });
  it('matches an unlock reply to the lock addressed in it', () => {
    const d = codec.createReplyDecoder();
    const [reply] = d.push(bytes('02 24 35 20 00 00 00 03 7E'));
    expect(reply).toMatchObject({ kind: 'board-status', board: 2, lock: 5 });
    if (!reply) throw new Error('no reply');
    expect(codec.matches({ op: 'unlock', board: 2, lock: 5 }, reply)).toBe(true);
    expect(codec.matches({ op: 'unlock', board: 2, lock: 6 }, reply)).toBe(false);
  });
  it('encodes a status reply with the sum over all bytes before it', () => {
    const doorsOpen = [true, false, true, ...new Array(12).fill(false), true];
    const irBits = [true, ...new Array(15).fill(false)];
    expect(hex(codec.encodeReply({ kind: 'board-status', board: 0, doorsOpen, irBits }))).toBe(
      '02 00 35 05 80 01 00 03 C0',
    );
  });
  it('decodes the requests a board receives', () => {
    const d = codec.createRequestDecoder();
    expect(d.push(bytes('02 00 31 03 36 02 00 30 03 35 02 10 33 03 48'))).toEqual([
      { op: 'unlock', board: 0, lock: 1 },
      { op: 'query-all', board: 0 },
      { op: 'unlock-all', board: 1 },
    ]);
  });
});
