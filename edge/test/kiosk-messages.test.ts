import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SessionStatusCode } from '../src/kiosk/kiosk-api-types.js';

/**
 * Issue 11: every text of the touchscreen lives in one message file per language, with the same keys
 * and the same placeholders, and every key the page asks for is there (a missing key would show as
 * the key itself).
 */
const PAGE = fileURLToPath(new URL('../src/kiosk/page/', import.meta.url));
const load = (locale: string): Record<string, string> =>
  JSON.parse(readFileSync(join(PAGE, 'messages', `${locale}.json`), 'utf8'));
const en = load('en');
const zh = load('zh-CN');
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
// Codes only operators and the cloud link meet: never at the touchscreen.
const NOT_AT_THE_SCREEN = new Set([
  'ALARM_NOT_FOUND',
  'COMMAND_EXPIRED',
  'CONFIG_INVALID',
  'UNKNOWN_COMMAND',
]);

function daemonSources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'page' ? [] : daemonSources(join(dir, e.name));
    return e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [];
  });
}

function pageSources(dir = PAGE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'messages' ? [] : pageSources(join(dir, e.name));
    return e.name.endsWith('.js') ? [readFileSync(join(dir, e.name), 'utf8')] : [];
  });
}

/** A key exists as itself or, for counted texts, as its plural forms. */
const has = (words: Record<string, string>, key: string) => key in words || `${key}.other` in words;

// Every status code the daemon sends (kiosk-api-types.ts); the record makes a new code fail to compile here.
const STATUS: Record<SessionStatusCode, true> = {
  SESSION_OPENING: true,
  DEPOSIT_DOOR_OPEN: true,
  DEPOSIT_REOPENED: true,
  DEPOSIT_CLOSED_EMPTY: true,
  DEPOSIT_CONFIRM_PARCEL: true,
  DEPOSIT_ABANDONED: true,
  PICKUP_DOOR_OPEN: true,
  RECOLLECT_DOOR_OPEN: true,
  DEPOSIT_DONE: true,
  PICKUP_DONE: true,
  RECOLLECT_DONE: true,
  SESSION_CANCELLED: true,
  SESSION_TIMED_OUT: true,
  SESSION_FAILED: true,
};

describe('the touchscreen message files', () => {
  it('have the same keys in Chinese and English', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('fill the same placeholders in both languages, and no text is empty', () => {
    for (const key of Object.keys(en)) {
      expect.soft(placeholders(zh[key] ?? ''), key).toEqual(placeholders(en[key] ?? ''));
      expect.soft(en[key]?.trim(), key).not.toBe('');
      expect.soft(zh[key]?.trim(), key).not.toBe('');
    }
  });

  it('have every key the page asks for by name', () => {
    const used = new Set(
      pageSources().flatMap((src) => [...src.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1])),
    );
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => k !== undefined && !(has(en, k) && has(zh, k)));
    expect(missing).toEqual([]);
  });

  it('word every session status code the daemon sends, and every size class', () => {
    const keys = [
      ...Object.keys(STATUS).map((c) => `status.${c}`),
      ...['small', 'medium', 'large', 'xlarge'].map((s) => `size.${s}`),
    ];
    expect(keys.filter((k) => !(has(en, k) && has(zh, k)))).toEqual([]);
  });

  it('word every error code the daemon throws, so the page never falls back to English', () => {
    const thrown = new Set(
      daemonSources().flatMap((src) =>
        [...src.matchAll(/LockerError\(\s*'([A-Z_]+)'/g)].map((m) => m[1] as string),
      ),
    );
    expect(thrown.size).toBeGreaterThan(15);
    const missing = [...thrown].filter(
      (c) => !NOT_AT_THE_SCREEN.has(c) && !(`err.${c}` in en && `err.${c}` in zh),
    );
    expect(missing).toEqual([]);
  });

  it('have both plural forms wherever a text is counted', () => {
    const counted = Object.keys(en).filter((k) => /\.(one|other)$/.test(k));
    expect(counted.length).toBeGreaterThan(0);
    for (const k of counted) {
      const base = k.replace(/\.(one|other)$/, '');
      expect.soft([`${base}.one` in en, `${base}.other` in en], base).toEqual([true, true]);
    }
  });
});
