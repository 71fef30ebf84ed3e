import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Where the touchscreen page is: the configured folder, else the page shipped in the package next to
 * dist/ (package.json `files` holds src/kiosk/page: the page is plain JavaScript, served as written).
 */
export function resolvePageDir(configured?: string): string | undefined {
  const candidates = [configured, fileURLToPath(new URL('../../src/kiosk/page/', import.meta.url))];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

/**
 * Libraries the page loads, served from the daemon's own node_modules (no CDN: the cabinet may be
 * offline). The page names them by package name through the import map in index.html.
 */
const VENDORED: Record<string, () => string> = {
  'qrcode.mjs': () => join(dirname(createRequire(import.meta.url).resolve('qrcode-generator')), 'qrcode.mjs'),
};

/** A small static route for the touchscreen page: GET only, no directory listing, no path escapes. */
export function installStaticPage(app: FastifyInstance, dir: string | undefined): void {
  app.get('/vendor/:file', async (req, reply) => {
    const locate = VENDORED[(req.params as { file: string }).file];
    if (!locate) return reply.callNotFound();
    return reply.type(TYPES['.mjs'] as string).send(await readFile(locate()));
  });
  app.get('/*', async (req, reply) => {
    const wanted = (req.params as { '*': string })['*'] || 'index.html';
    if (!dir || wanted.includes('\0')) return reply.callNotFound();
    const path = normalize(join(dir, wanted));
    if (!path.startsWith(normalize(dir + sep)) && path !== normalize(dir)) return reply.callNotFound();
    try {
      const body = await readFile(path);
      return reply.type(TYPES[extname(path)] ?? 'application/octet-stream').send(body);
    } catch {
      return reply.callNotFound();
    }
  });
}
