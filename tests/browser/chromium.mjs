// Debian's chromium for the browser tests (playwright-core, never a downloaded browser), started
// the way this machine needs: headless, no sandbox (the tests run as root), no background
// networking (the closed network refuses it, many connections at a time), and a fresh profile
// that is removed at exit. $CHROMIUM overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// A failed expectation (as opposed to an error of the script or the browser).
export class Check extends Error {}
export function check(condition, message) {
  if (!condition) throw new Check(message);
}

// A browser context on a new profile whose directory name starts with `profilePrefix`.
export async function launchChromium(profilePrefix, viewport) {
  const userDataDir = mkdtempSync(join(tmpdir(), profilePrefix));
  process.on('exit', () => rmSync(userDataDir, { recursive: true, force: true }));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Ends a failed run: the reason, the console errors and what was gathered on stderr, a
// failure.png of each open page in `outDir`, the browser closed, exit status 1.
export async function failRun(script, context, outDir, error, consoleErrors, summary) {
  console.error(`${script}: ${error instanceof Check ? 'check failed' : 'error'}: ${error.stack || error.message}`);
  if (consoleErrors.length) console.error(`console errors:\n  ${consoleErrors.join('\n  ')}`);
  console.error(JSON.stringify(summary, null, 2));
  for (const page of context.pages()) {
    await page.screenshot({ path: join(outDir, 'failure.png'), fullPage: true }).catch(() => {});
  }
  await context.close().catch(() => {});
  process.exit(1);
}
