/**
 * The embedded broker writes the authenticated account into an operator's command
 * (`requestedBy`), so the cloud's audit names who really sent it, whatever the client claimed.
 * A payload that is not a JSON object is left as it is: the cabinet refuses it anyway.
 */
export function stampRequester(payload: Buffer, username: string): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return payload;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return payload;
  return Buffer.from(JSON.stringify({ ...doc, requestedBy: username }));
}
