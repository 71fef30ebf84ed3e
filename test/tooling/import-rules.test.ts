import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/daemon-process.js';
import { tempDir } from '../support/stack.js';

function check(files: Record<string, string>): { ok: boolean; output: string } {
  const dir = tempDir('locker-imports-');
  cleanups.push(dir.remove);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir.path, path, '..'), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  try {
    const output = execFileSync(
      process.execPath,
      [join(repoRoot, 'scripts/check-imports.mjs'), '--root', dir.path],
      {
        stdio: 'pipe',
        encoding: 'utf8',
      },
    );
    return { ok: true, output };
  } catch (err) {
    return { ok: false, output: String((err as { stderr?: string }).stderr) };
  }
}
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('the import rules check', () => {
  it('passes the repository as it is', () => {
    const output = execFileSync(process.execPath, [join(repoRoot, 'scripts/check-imports.mjs')], {
      encoding: 'utf8',
    });
    expect(output).toContain('import rules: ok');
  });

  it('fails when the edge imports the cloud', () => {
    const r = check({ 'edge/src/a.ts': "import { buildApp } from '@locker/cloud';\n" });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('@locker/edge must not import @locker/cloud');
  });

  it('fails when the cloud imports the edge', () => {
    const r = check({ 'cloud/src/a.ts': "export { EdgeDaemon } from '@locker/edge';\n" });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('@locker/cloud must not import @locker/edge');
  });

  it('fails when shipped edge code imports the lock-board test rigs, and lets its tests do so', () => {
    const r = check({
      'edge/src/a.ts': "import { simulatorOnPty } from '@locker/lockboard/testing';\n",
      'edge/test/b.ts': "import { simulatorOnPty } from '@locker/lockboard/testing';\n",
      'tools/src/c.ts': "import { EdgeDaemon } from '@locker/edge';\n",
    });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('edge/src/a.ts: shipped code must not import the test rig');
    expect(r.output).not.toContain('edge/test/b.ts');
    expect(r.output).not.toContain('tools/src/c.ts');
  });

  it('fails when a package reaches a sibling by relative path', () => {
    const r = check({ 'edge/src/a.ts': "import { topics } from '../../packages/protocol/src/index.js';\n" });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('leaves edge/');
  });

  it('fails when the protocol imports anything of ours', () => {
    const r = check({ 'packages/protocol/src/a.ts': "import { LockBus } from '@locker/lockboard';\n" });
    expect(r.ok).toBe(false);
  });

  it('accepts imports by package name and within a package', () => {
    const r = check({
      'edge/src/a.ts': "import { topics } from '@locker/protocol';\nimport { b } from './b.js';\n",
    });
    expect(r.ok).toBe(true);
  });
});
