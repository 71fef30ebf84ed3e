#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, openApiText } from './openapi-document.js';

/** Writes the OpenAPI document to the given file (default docs/openapi.json from the repo root). */
const out = process.argv[2] ?? 'docs/openapi.json';
buildOpenApiDocument().then(
  (doc) => {
    writeFileSync(out, openApiText(doc));
    console.log(`wrote ${out}`);
  },
  (err: unknown) => {
    console.error('openapi export failed:', err);
    process.exit(1);
  },
);
