import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11: the touchscreen page ships with the daemon. The package's `files` once held dist/ only, and
 * the daemon looked for a folder nothing created; now it serves src/kiosk/page from the package itself.
 */
describe('the edge package', () => {
  it('ships the touchscreen page and its message files, and not the page type-check files', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    const files =
      (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/main.js',
        'src/kiosk/page/index.html',
        'src/kiosk/page/app.js',
        'src/kiosk/page/messages/zh-CN.json',
        'src/kiosk/page/messages/en.json',
      ]),
    );
    expect(files.filter((f) => /tsconfig|types\.d\.ts|tsbuildinfo/.test(f) && f.startsWith('src/'))).toEqual(
      [],
    );
  }, 60_000);
});
