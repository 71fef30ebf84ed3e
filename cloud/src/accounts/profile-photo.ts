import { LockerError } from '@locker/protocol';

/** The Dingo document's limit for the verification photo, kept for every photo. */
export const MAX_PHOTO_BYTES = 512 * 1024;

export interface ProfilePhoto {
  contentType: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
  data: Buffer;
}

const startsWith = (data: Buffer, bytes: number[], at = 0) =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);

/**
 * Accepts a photo by its bytes, not by the type the client claims: a declared image/jpeg that is
 * really HTML is refused, so the avatar endpoint can never serve something a browser would run.
 */
export function parseProfilePhoto(data: Buffer): ProfilePhoto {
  if (data.length > MAX_PHOTO_BYTES) {
    throw new LockerError('PHOTO_TOO_LARGE', `photo is ${data.length} bytes; at most ${MAX_PHOTO_BYTES}`);
  }
  if (startsWith(data, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', data };
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { contentType: 'image/png', data };
  if (
    startsWith(data, [0x47, 0x49, 0x46, 0x38]) &&
    (data[4] === 0x37 || data[4] === 0x39) &&
    data[5] === 0x61
  ) {
    return { contentType: 'image/gif', data };
  }
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) {
    return { contentType: 'image/webp', data };
  }
  throw new LockerError('NOT_AN_IMAGE', 'photo must be a JPEG, PNG, GIF or WebP image');
}
