import { LockerError } from '@locker/protocol';
import sharp from 'sharp';

/** The Dingo document's limit for the verification photo, kept for every photo. */
export const MAX_PHOTO_BYTES = 512 * 1024;
/** A portrait needs far less; a bigger canvas in a 512 KB file is a decompression bomb. */
export const MAX_PHOTO_PIXELS = 4096 * 4096;
export const MAX_PHOTO_SIDE = 8192;

export interface ProfilePhoto {
  contentType: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
  data: Buffer;
}

const contentTypes = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
} as const satisfies Record<string, ProfilePhoto['contentType']>;

const isKnown = (format: string | undefined): format is keyof typeof contentTypes =>
  format !== undefined && format in contentTypes;

/**
 * Accepts a photo only if libvips (through sharp) decodes it, as one of four formats, within a sane
 * size: magic numbers alone let a 9-byte "PNG" through, and a header alone lets a truncated or
 * bomb file through. The size is read from the header and checked before the pixels are decoded;
 * the decode runs with libvips' own pixel limit too and shrinks as it goes, so it never holds the
 * full canvas. The type the client claims plays no part, so the avatar endpoint never serves
 * something a browser would run.
 */
export async function parseProfilePhoto(data: Buffer): Promise<ProfilePhoto> {
  if (data.length > MAX_PHOTO_BYTES) {
    throw new LockerError('PHOTO_TOO_LARGE', `photo is ${data.length} bytes; at most ${MAX_PHOTO_BYTES}`);
  }
  const notImage = () => new LockerError('NOT_AN_IMAGE', 'photo must be a JPEG, PNG, GIF or WebP image');
  const options = { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' as const, pages: 1 };
  // The header alone is read here, without the pixel limit, so a bomb is named as too large.
  const meta = await sharp(data, { ...options, limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw notImage();
    });
  if (!isKnown(meta.format)) throw notImage();
  const { width = 0, height = 0 } = meta;
  if (width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE || width * height > MAX_PHOTO_PIXELS) {
    throw new LockerError(
      'PHOTO_TOO_LARGE',
      `photo is ${width}x${height} pixels; at most ${MAX_PHOTO_PIXELS} pixels, ${MAX_PHOTO_SIDE} a side`,
    );
  }
  // Decoding every pixel is the only proof the file is whole; shrinking keeps memory small.
  await sharp(data, options)
    .resize(64, 64, { fit: 'inside' })
    .raw()
    .toBuffer()
    .catch(() => {
      throw notImage();
    });
  return { contentType: contentTypes[meta.format], data };
}
