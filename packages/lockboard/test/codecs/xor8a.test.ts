import { describe, expect, it } from 'vitest';
import { type BoardReply, type BoardRequest, hex } from '../../src/codecs/codec.js';
import { Xor8aCodec } from '../../src/codecs/xor8a.js';
import { bytes } from '../helpers/bytes.js';

// Literal frames from the public 8A/80 sheets and implementations (docs/serial.md lists the sources).
const closing = new Xor8aCodec({ feedback: 'closing' });
const opening = new Xor8aCodec({ feedback: 'opening' });
const queryAll = { op: 'query-all', board: 1 } as const;
const queryOne = { op: 'query-one', board: 1, lock: 1 } as const;

function openLocks(reply: BoardReply | undefined): number[] {
  return reply?.kind === 'board-status' ? reply.doorsOpen.flatMap((o, i) => (o ? [i + 1] : [])) : [];
}

describe('xor8a requests are encoded byte for byte', () => {
  it('encodes unlock of board 1 lock 1 as 8A 01 01 11 9B', () => {
    expect(hex(closing.encodeRequest({ op: 'unlock', board: 1, lock: 1 }))).toBe('8A 01 01 11 9B');
  });
  it('encodes unlock-all of board 1 as 8A 01 00 11 9A', () => {
    expect(hex(closing.encodeRequest({ op: 'unlock-all', board: 1 }))).toBe('8A 01 00 11 9A');
  });
  it('encodes query one of board 1 lock 1 as 80 01 01 33 B3', () => {
    expect(hex(closing.encodeRequest(queryOne))).toBe('80 01 01 33 B3');
  });
  it('encodes query all of board 1 as 80 01 00 33 B2', () => {
    expect(hex(closing.encodeRequest(queryAll))).toBe('80 01 00 33 B2');
  });
  it('encodes a multi-open of locks 2, 10 and 18 as the bitmap 90 01 02 02 02 93', () => {
    expect(hex(closing.encodeRequest({ op: 'multi-open', board: 1, locks: [2, 10, 18] }))).toBe(
      '90 01 02 02 02 93',
    );
  });
  it('refuses a multi-open of a lock the three-byte bitmap cannot hold', () => {
    expect(() => closing.encodeRequest({ op: 'multi-open', board: 1, locks: [25] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
  it('encodes a high board and lock with the XOR over all four bytes', () => {
    expect(hex(closing.encodeRequest({ op: 'unlock', board: 0x0f, lock: 0x18 }))).toBe('8A 0F 18 11 8C');
  });
});

describe('xor8a replies under closing feedback (the common wiring)', () => {
  it('reads the unlock reply 8A 01 01 00 8A as lock 1 open', () => {
    expect(closing.createReplyDecoder().push(bytes('8A 01 01 00 8A'))).toEqual([
      { kind: 'unlock-ack', board: 1, lock: 1, doorOpen: true },
    ]);
  });
  it('reads the query-one reply 80 01 01 11 91 as closed and 80 01 01 00 80 as open', () => {
    const d = closing.createReplyDecoder();
    expect(d.push(bytes('80 01 01 11 91'), queryOne)).toEqual([
      { kind: 'lock-status', board: 1, lock: 1, doorOpen: false },
    ]);
    expect(d.push(bytes('80 01 01 00 80'), queryOne)).toEqual([
      { kind: 'lock-status', board: 1, lock: 1, doorOpen: true },
    ]);
  });
  it("frames the real 8-channel board's 7-byte reply 80 01 00 00 00 33 B2 as every door closed", () => {
    const d = new Xor8aCodec({ feedback: 'closing', locksByBoard: new Map([[1, 8]]) }).createReplyDecoder();
    const [reply] = d.push(bytes('80 01 00 00 00 33 B2'), queryAll);
    expect(reply).toMatchObject({ kind: 'board-status', board: 1, irBits: null });
    expect(reply?.kind === 'board-status' && reply.doorsOpen).toEqual(new Array(24).fill(false));
    expect(d.pending).toBe(0);
  });
  it('reads 80 01 00 00 02 33 B0 as lock 2 open: a set bit is an open door', () => {
    const [reply] = closing.createReplyDecoder().push(bytes('80 01 00 00 02 33 B0'), queryAll);
    expect(openLocks(reply)).toEqual([2]);
  });
  it('reads 80 01 00 08 02 33 B8 on a 24-channel board as doors 2 and 12 open (last byte = locks 1-8)', () => {
    const d = new Xor8aCodec({ feedback: 'closing', locksByBoard: new Map([[1, 24]]) }).createReplyDecoder();
    const [reply] = d.push(bytes('80 01 00 08 02 33 B8'), queryAll);
    expect(openLocks(reply)).toEqual([2, 12]);
  });
  it('reads the first status byte as locks 17-24', () => {
    const [reply] = closing.createReplyDecoder().push(bytes('80 01 80 00 05 33 37'), queryAll);
    expect(openLocks(reply)).toEqual([1, 3, 24]);
  });
  it('reads a four-byte bitmask 80 BB S4 S3 S2 S1 33 X of 32-channel firmware', () => {
    const d = new Xor8aCodec({ feedback: 'closing', locksByBoard: new Map([[1, 32]]) }).createReplyDecoder();
    const [reply] = d.push(bytes('80 01 80 00 00 01 33 33'), queryAll);
    expect(reply?.kind === 'board-status' && reply.doorsOpen).toHaveLength(32);
    expect(openLocks(reply)).toEqual([1, 32]);
  });
  it('encodes what the simulator sends from door states, byte for byte', () => {
    const doors = (open: number[], n = 24) => Array.from({ length: n }, (_, i) => open.includes(i + 1));
    const status = (open: number[], n = 24): BoardReply => ({
      kind: 'board-status',
      board: 1,
      doorsOpen: doors(open, n),
      irBits: null,
    });
    expect(hex(closing.encodeReply(status([], 8), 3))).toBe('80 01 00 00 00 33 B2');
    expect(hex(closing.encodeReply(status([2]), 3))).toBe('80 01 00 00 02 33 B0');
    expect(hex(closing.encodeReply(status([2, 12]), 3))).toBe('80 01 00 08 02 33 B8');
    expect(hex(closing.encodeReply(status([1, 32], 32), 4))).toBe('80 01 80 00 00 01 33 33');
    expect(hex(closing.encodeReply({ kind: 'unlock-ack', board: 1, lock: 1, doorOpen: true }))).toBe(
      '8A 01 01 00 8A',
    );
    expect(hex(closing.encodeReply({ kind: 'lock-status', board: 1, lock: 1, doorOpen: false }))).toBe(
      '80 01 01 11 91',
    );
  });
});

describe('xor8a replies under opening feedback invert both encodings', () => {
  it('reads query one 80 01 01 11 91 as open and the unlock echo 8A 01 01 00 8A as closed', () => {
    const d = opening.createReplyDecoder();
    expect(d.push(bytes('80 01 01 11 91'), queryOne)).toEqual([
      { kind: 'lock-status', board: 1, lock: 1, doorOpen: true },
    ]);
    expect(d.push(bytes('8A 01 01 00 8A'))).toEqual([
      { kind: 'unlock-ack', board: 1, lock: 1, doorOpen: false },
    ]);
  });
  it('reads a clear bit as an open door: 80 01 00 00 02 33 B0 is every door but lock 2 open', () => {
    const [reply] = opening.createReplyDecoder().push(bytes('80 01 00 00 02 33 B0'), queryAll);
    expect(openLocks(reply)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1).filter((l) => l !== 2));
  });
  it('answers a shut cabinet with every bit set, FF FF FF', () => {
    const shut: BoardReply = {
      kind: 'board-status',
      board: 1,
      doorsOpen: new Array(24).fill(false),
      irBits: null,
    };
    expect(hex(opening.encodeReply(shut, 3))).toBe('80 01 FF FF FF 33 4D');
  });
});

describe('xor8a framing', () => {
  it('uses a configured status byte count instead of the trailer when one is set', () => {
    const codec = new Xor8aCodec({ statusBytes: 2 });
    // With a count of 2 the frame is 80 01 33 01 33 XOR: the first 33 is a status byte, not the trailer.
    const frame = bytes('80 01 33 01 33 80');
    const [reply] = codec.createReplyDecoder().push(frame, queryAll);
    expect(openLocks(reply)).toEqual([1, 9, 10, 13, 14]);
  });
  it('decodes the unlock-all echo and the multi-open bitmap echo', () => {
    expect(closing.createReplyDecoder().push(bytes('8A 01 00 00 8B 90 01 02 02 02 93'))).toEqual([
      { kind: 'unlock-all-ack', board: 1 },
      { kind: 'multi-open-ack', board: 1, locks: [2, 10, 18] },
    ]);
  });
  it('decodes every request the driver can send back into the same request', () => {
    const requests: BoardRequest[] = [
      { op: 'unlock', board: 1, lock: 1 },
      { op: 'unlock-all', board: 3 },
      { op: 'query-one', board: 1, lock: 9 },
      { op: 'query-all', board: 4 },
      { op: 'multi-open', board: 1, locks: [2, 10, 18] },
    ];
    const d = closing.createRequestDecoder();
    expect(d.push(Buffer.concat(requests.map((r) => closing.encodeRequest(r))))).toEqual(requests);
  });
});
