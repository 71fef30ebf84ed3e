import { describe, expect, it } from 'vitest';
import { hex } from '../../src/codecs/codec.js';
import { Xor8aCodec } from '../../src/codecs/xor8a.js';
import { bytes } from '../helpers/bytes.js';

const codec = new Xor8aCodec();

describe('xor8a requests are encoded byte for byte', () => {
  it('encodes unlock of board 1 lock 1 as 8A 01 01 11 9B', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock', board: 1, lock: 1 }))).toBe('8A 01 01 11 9B');
  });
  it('encodes unlock-all of board 1 as 8A 01 00 11 9A', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock-all', board: 1 }))).toBe('8A 01 00 11 9A');
  });
  it('encodes query one of board 1 lock 1 as 80 01 01 33 B3', () => {
    expect(hex(codec.encodeRequest({ op: 'query-one', board: 1, lock: 1 }))).toBe('80 01 01 33 B3');
  });
  it('encodes query all of board 1 as 80 01 00 33 B2', () => {
    expect(hex(codec.encodeRequest({ op: 'query-all', board: 1 }))).toBe('80 01 00 33 B2');
  });
  it('encodes a multi-open of locks 1, 3 and 5 on board 2 with the count and a trailing XOR', () => {
    expect(hex(codec.encodeRequest({ op: 'multi-open', board: 2, locks: [1, 3, 5] }))).toBe(
      '90 02 03 01 03 05 96',
    );
  });
  it('encodes a high board and lock with the XOR over all four bytes', () => {
    expect(hex(codec.encodeRequest({ op: 'unlock', board: 0x0f, lock: 0x18 }))).toBe('8A 0F 18 11 8C');
  });
});

describe('xor8a replies are decoded byte for byte', () => {
  it('decodes the unlock reply 8A 01 01 00 8A as lock 1 with its sensor clear', () => {
    const d = codec.createReplyDecoder();
    expect(d.push(bytes('8A 01 01 00 8A'))).toEqual([
      { kind: 'unlock-ack', board: 1, lock: 1, doorSet: false },
    ]);
  });
  it('decodes the query-one reply 80 01 01 11 91 as sensor set (closed on this board)', () => {
    const d = codec.createReplyDecoder();
    const q = { op: 'query-one', board: 1, lock: 1 } as const;
    expect(d.push(bytes('80 01 01 11 91'), q)).toEqual([
      { kind: 'lock-status', board: 1, lock: 1, doorSet: true },
    ]);
  });
  it('decodes the query-one reply 80 01 01 00 80 as sensor clear (open on this board)', () => {
    const d = codec.createReplyDecoder();
    const q = { op: 'query-one', board: 1, lock: 1 } as const;
    expect(d.push(bytes('80 01 01 00 80'), q)).toEqual([
      { kind: 'lock-status', board: 1, lock: 1, doorSet: false },
    ]);
  });
  it('frames the real 8-channel query-all reply 80 01 00 00 00 33 B2 by its 33 trailer and XOR', () => {
    const d = codec.createReplyDecoder();
    const [reply] = d.push(bytes('80 01 00 00 00 33 B2'), { op: 'query-all', board: 1 });
    expect(reply).toMatchObject({ kind: 'board-status', board: 1, irBits: null });
    expect(reply?.kind === 'board-status' && reply.doorBits).toEqual(new Array(24).fill(false));
    expect(d.pending).toBe(0);
  });
  it('reads three status bytes of a 24-channel board with the last byte holding locks 1 to 8', () => {
    const d = new Xor8aCodec({ locksByBoard: new Map([[1, 24]]) }).createReplyDecoder();
    const [reply] = d.push(bytes('80 01 80 00 05 33 37'), { op: 'query-all', board: 1 });
    const bits = reply?.kind === 'board-status' ? reply.doorBits : [];
    const set = bits.flatMap((b, i) => (b ? [i + 1] : []));
    expect(set).toEqual([1, 3, 24]);
  });
  it('uses a configured status byte count instead of the trailer when one is set', () => {
    const d = new Xor8aCodec({ statusBytes: 2 }).createReplyDecoder();
    // With a count of 2 the frame is 80 01 33 01 33 XOR: the first 33 is a status byte, not the trailer.
    const frame = codec.encodeReply(
      { kind: 'board-status', board: 1, doorBits: bitsOf([0x01, 0x33]), irBits: null },
      2,
    );
    expect(hex(frame)).toBe('80 01 33 01 33 80');
    const [reply] = d.push(frame, { op: 'query-all', board: 1 });
    expect(reply?.kind === 'board-status' && reply.doorBits.slice(0, 16)).toEqual(bitsOf([0x01, 0x33]));
  });
  it('decodes the unlock-all and multi-open echoes', () => {
    const d = codec.createReplyDecoder();
    expect(d.push(bytes('8A 01 00 00 8B 90 02 02 01 03 92'))).toEqual([
      { kind: 'unlock-all-ack', board: 1 },
      { kind: 'multi-open-ack', board: 2, locks: [1, 3] },
    ]);
  });
});

describe('xor8a frames round-trip through the simulator side', () => {
  it('decodes every request the driver can send back into the same request', () => {
    const requests = [
      { op: 'unlock', board: 1, lock: 1 },
      { op: 'unlock-all', board: 3 },
      { op: 'query-one', board: 1, lock: 9 },
      { op: 'query-all', board: 4 },
      { op: 'multi-open', board: 1, locks: [2, 4] },
    ] as const;
    const d = codec.createRequestDecoder();
    const all = Buffer.concat(requests.map((r) => codec.encodeRequest(r)));
    expect(d.push(all)).toEqual(requests);
  });
  it('encodes the replies of DESIGN §4.1 exactly', () => {
    expect(hex(codec.encodeReply({ kind: 'unlock-ack', board: 1, lock: 1, doorSet: false }))).toBe(
      '8A 01 01 00 8A',
    );
    expect(hex(codec.encodeReply({ kind: 'lock-status', board: 1, lock: 1, doorSet: true }))).toBe(
      '80 01 01 11 91',
    );
    expect(hex(codec.encodeReply({ kind: 'lock-status', board: 1, lock: 1, doorSet: false }))).toBe(
      '80 01 01 00 80',
    );
    const allClear = {
      kind: 'board-status',
      board: 1,
      doorBits: new Array(8).fill(false),
      irBits: null,
    } as const;
    expect(hex(codec.encodeReply(allClear, 3))).toBe('80 01 00 00 00 33 B2');
  });
});

function bitsOf(lsbFirstBytes: number[]): boolean[] {
  return lsbFirstBytes.flatMap((b) => Array.from({ length: 8 }, (_, i) => ((b >> i) & 1) === 1));
}
