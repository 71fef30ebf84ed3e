import { Duplex } from 'node:stream';

/**
 * Follows the MQTT framing of a byte stream (fixed header: type byte, then a 1-4 byte remaining
 * length) and says when a packet is larger than allowed, from its header alone, before its body
 * arrives. aedes has no packet size limit of its own and buffers a whole packet before parsing it.
 */
export class MqttFrameMeter {
  private state: 'type' | 'length' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** False as soon as a packet announces more than the limit (or a malformed length). */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return false;
        continue;
      }
      if (1 + this.lengthBytes + this.length > this.maxPacketBytes) return false;
      this.bodyLeft = this.length;
      this.state = 'type';
    }
    return true;
  }
}

/**
 * Wraps a client connection so that a packet over the limit closes it. The broker reads the wrapper;
 * writes go straight through to the connection.
 */
export function guardPacketSize(conn: Duplex, maxPacketBytes: number, onRefused: () => void): Duplex {
  const meter = new MqttFrameMeter(maxPacketBytes);
  let refused = false;
  const guarded = new Duplex({
    read() {
      conn.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (conn.destroyed) return cb();
      conn.write(chunk, (err) => cb(err ?? null));
    },
    final(cb) {
      conn.end();
      cb();
    },
    destroy(err, cb) {
      conn.destroy();
      cb(err);
    },
  });
  conn.on('data', (chunk: Buffer) => {
    if (refused) return;
    if (!meter.feed(chunk)) {
      refused = true;
      onRefused();
      conn.destroy();
      guarded.destroy();
      return;
    }
    if (!guarded.push(chunk)) conn.pause();
  });
  conn.on('end', () => guarded.push(null));
  conn.on('close', () => guarded.destroy());
  conn.on('error', () => guarded.destroy());
  return guarded;
}
