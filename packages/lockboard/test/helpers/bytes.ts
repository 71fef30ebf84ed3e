/** '8A 01 01 11 9B' -> Buffer, so tests read like the protocol sheet. */
export function bytes(text: string): Buffer {
  return Buffer.from(
    text
      .trim()
      .split(/\s+/)
      .map((h) => Number.parseInt(h, 16)),
  );
}
