#!/usr/bin/env node
// The house rules on imports (DESIGN.md §3), checked on every `npm test`:
// - edge and cloud never import each other;
// - @locker/protocol imports nothing of ours;
// - a package reaches a sibling only by package name, never by a relative path out of its own folder;
// - shipped code (a package's src/) never imports a test rig (@locker/lockboard/testing, @locker/tools).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootArg = process.argv.indexOf('--root');
const root =
  rootArg > 0 ? resolve(process.argv[rootArg + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = {
  'packages/protocol': {
    name: '@locker/protocol',
    forbidden: ['@locker/lockboard', '@locker/edge', '@locker/cloud'],
  },
  'packages/lockboard': { name: '@locker/lockboard', forbidden: ['@locker/edge', '@locker/cloud'] },
  edge: { name: '@locker/edge', forbidden: ['@locker/cloud'] },
  cloud: { name: '@locker/cloud', forbidden: ['@locker/edge', '@locker/lockboard'] },
  tools: { name: '@locker/tools', forbidden: [] },
  test: { name: '@locker/e2e', forbidden: [] },
};
// Test rigs stay out of what ships: a package's src/ may not import them (its tests and tools/ may).
const RIGS = ['@locker/lockboard/testing', '@locker/tools'];
const shipping = ['packages/protocol', 'packages/lockboard', 'edge', 'cloud'];

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function* sources(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) yield path;
  }
}

const problems = [];
for (const [folder, rule] of Object.entries(packages)) {
  const base = join(root, folder);
  try {
    statSync(base);
  } catch {
    continue;
  }
  for (const file of sources(base)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const where = relative(root, file);
      if (rule.forbidden.some((f) => spec === f || spec.startsWith(`${f}/`))) {
        problems.push(`${where}: ${rule.name} must not import ${spec}`);
      }
      const inSrc = relative(base, file).startsWith('src/');
      if (shipping.includes(folder) && inSrc && RIGS.some((r) => spec === r || spec.startsWith(`${r}/`))) {
        problems.push(`${where}: shipped code must not import the test rig ${spec}`);
      }
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(`${base}/`) && target !== base) {
          problems.push(`${where}: relative import ${spec} leaves ${folder}/; import the package by name`);
        }
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`import rules broken (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('import rules: ok');
