import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (installed here and by .ci/run); LOCKER_CHROMIUM points elsewhere if needed. */
export const CHROMIUM = process.env.LOCKER_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Screen {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Opens the touchscreen page in headless Chromium with a fresh user-data dir (so nothing carries over
 * between tests), at a cabinet's screen size, as a touch device.
 */
export async function openScreen(
  url: string,
  viewport: { width: number; height: number } = { width: 1024, height: 768 },
): Promise<Screen> {
  const profile = mkdtempSync(join(tmpdir(), 'locker-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    hasTouch: true,
    locale: 'en-GB',
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return {
    page,
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}

/** Taps the on-screen keys of a keypad, one by one, as a person would. */
export async function tapKeys(page: Page, padLabel: string, text: string): Promise<void> {
  const pad = page.getByRole('group', { name: `${padLabel} keypad` });
  for (const ch of text) await pad.locator(`button[data-key="${ch}"]`).click();
}
