import type { BoardCodec, CodecOptions, Family } from './codec.js';
import { KerongCodec } from './kerong.js';
import { Xor8aCodec } from './xor8a.js';

export function createCodec(family: Family, options: CodecOptions = {}): BoardCodec {
  return family === 'xor8a' ? new Xor8aCodec(options) : new KerongCodec(options);
}
