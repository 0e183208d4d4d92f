// Debian's Chromium driven by playwright-core; axe-core checks every page for WCAG 2.1 A/AA.
import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Test } from 'tap';
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

let browser: Browser | undefined;
/** One Chromium per test file: launched before its tests, closed after them. */
export function useBrowser(tap: Test): void {
  tap.before(async () => {
    if (!browserTestOptions.skip) browser = await launch();
  });
  tap.teardown(async () => browser?.close());
}
export const currentBrowser = (): Browser => browser!;

// axe-core runs inside the page, so it cannot run where JavaScript is off; the server sends the same
// markup either way, and the JavaScript journey checks every one of these pages.
export const withoutScript = new WeakSet<Page>();
interface Root {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}
interface Box {
  tagName: string;
  className: string;
  parentElement: Box | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): { right: number };
}

/** Empty when the page fits the screen's width; else how wide it is and what sticks out. */
export async function sidewaysOffenders(page: Page): Promise<string> {
  return page.evaluate(() => {
    const w = globalThis as unknown as Root & {
      document: { querySelectorAll(s: string): Iterable<Box> };
      getComputedStyle(e: Box): { overflowX: string };
    };
    const root = w.document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return '';
    // What sticks out of the page, not what scrolls inside a frame of its own.
    const framed = (e: Box) => {
      for (let up = e.parentElement; up && up.tagName !== 'BODY'; up = up.parentElement)
        if (w.getComputedStyle(up).overflowX !== 'visible') return true;
      return false;
    };
    // An element wider than the screen, or one whose text runs out of it (a long word); when all of
    // them sit in frames, whatever is out there (an absolutely placed child escapes an unplaced frame).
    const sticksOut = (e: Box) => e.getBoundingClientRect().right > root.clientWidth + 1;
    const elements = [...w.document.querySelectorAll('body *')];
    const unframed = elements.filter(
      (e) =>
        !framed(e) &&
        (sticksOut(e) || (e.scrollWidth > e.clientWidth + 1 && w.getComputedStyle(e).overflowX === 'visible')),
    );
    const named = (unframed.length > 0 ? unframed : elements.filter(sticksOut))
      .slice(0, 8)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
      .join(' | ');
    return `the page is ${root.scrollWidth} px wide: ${named}`;
  });
}

/**
 * Every page a test visits, at the desk's width and at a phone's (360 × 740): no WCAG 2.1 A/AA
 * violations at either, and the page never scrolls sideways (what sticks out is named). The page is
 * left at the desk's width.
 */
export async function checkPage(t: Test, page: Page, label: string) {
  if (withoutScript.has(page)) return;
  for (const [width, height] of [
    [1280, 900],
    [360, 740],
  ] as const) {
    await page.setViewportSize({ width, height });
    t.same(await accessibilityViolations(page), [], `${label} at ${width} px: no WCAG 2.1 A/AA violations`);
    const offenders = await sidewaysOffenders(page);
    t.equal(offenders, '', `${label} does not scroll sideways at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A page in a browser context of its own (closed with the test), collecting script errors. */
export async function openPage(t: Test) {
  const context = await currentBrowser().newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { page, pageErrors };
}

export async function logIn(t: Test, page: Page, email: string, { check }: { check: boolean }) {
  await page.getByRole('link', { name: 'Logg inn' }).first().click();
  await page.getByLabel('E-post').waitFor();
  if (check) await checkPage(t, page, 'identity provider login page');
  await page.getByLabel('E-post').fill(email);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL(/\/cases|\/work/);
}

/**
 * At 360 px wide, which of these (CSS selectors, the first match each) are not wholly inside the
 * viewport's width; an empty list when all can be read without scrolling sideways. Back at 1280 after.
 */
export async function outOfViewOnPhone(page: Page, selectors: string[]): Promise<string[]> {
  await page.setViewportSize({ width: 360, height: 740 });
  const outside: string[] = [];
  for (const selector of selectors) {
    const box = await page.locator(selector).first().boundingBox();
    if (!box || box.width === 0 || box.x < 0 || box.x + box.width > 360) outside.push(selector);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return outside;
}
