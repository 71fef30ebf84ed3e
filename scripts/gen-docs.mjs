#!/usr/bin/env node
// Writes the generated contract documents from the built code: docs/asyncapi.json (MQTT, from
// @locker/protocol). A test fails when the committed file differs from what this would write.
import { writeFileSync } from 'node:fs';
import { asyncApiDocument } from '@locker/protocol';

const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8')));
writeFileSync('docs/asyncapi.json', `${JSON.stringify(asyncApiDocument(pkg.version), null, 2)}\n`);
console.log('wrote docs/asyncapi.json');
