import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument, CabinetEvent, topics } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/daemon-process.js';

describe('the AsyncAPI document', () => {
  it('matches what the protocol schemas generate (run `node scripts/gen-docs.mjs` after a change)', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
    const committed: unknown = JSON.parse(readFileSync(join(repoRoot, 'docs/asyncapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(asyncApiDocument(version))));
  });

  it('names every topic the code publishes on', () => {
    const doc = asyncApiDocument('test') as { channels: Record<string, { address: string }> };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    const id = '{cabinetId}';
    for (const t of [
      topics.status(id),
      topics.box(id, '{boxNo}'),
      topics.events(id),
      topics.eventsAck(id),
      topics.request(id, '{op}'),
      topics.response(id, '{op}'),
      topics.desired(id),
      topics.desiredGet(id),
    ]) {
      expect(addresses).toContain(t);
    }
  });

  it('describes every event type', () => {
    const text = JSON.stringify(asyncApiDocument('test'));
    for (const option of CabinetEvent.options) {
      expect(text).toContain(option.shape.type.value);
    }
  });
});
