// Debian's Chromium driven by playwright-core; axe-core checks every page for WCAG 2.1 A/AA.
import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(chromiumPath);
/** For t.test options: skipped without Chromium, unless REQUIRE_BROWSER=1 makes that a failure. */
export const browserTestOptions = {
  skip: browserAvailable || process.env.REQUIRE_BROWSER === '1' ? false : `no Chromium at ${chromiumPath}`,
};

export async function launch(): Promise<Browser> {
  if (!browserAvailable)
    throw new Error(
      `Chromium is required (REQUIRE_BROWSER=1) but not found at ${chromiumPath}; install Debian's chromium or set CHROMIUM_PATH`,
    );
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Zero WCAG 2.1 A/AA violations, or a message naming each rule and where it failed. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')} on ${page.url()}`,
  );
}
