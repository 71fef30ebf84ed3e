import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, openApiText } from '../src/openapi-document.js';

describe('the committed OpenAPI document', () => {
  it('matches what the app generates (regenerate with npm run build && npm run openapi -w @locker/cloud)', async () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(openApiText(await buildOpenApiDocument()));
  });
});
