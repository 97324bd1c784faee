import chromium from '@sparticuz/chromium';
import axe from 'axe-core';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * A real headless Chromium, driven by Playwright: the binary comes from the npm package
 * @sparticuz/chromium (unpacked to /tmp on first use), so `npm install` alone brings the browser.
 * No browser is a failure, never a skip.
 */
export async function launchChromium(): Promise<Browser> {
  let executablePath: string;
  try {
    executablePath = await chromium.executablePath();
  } catch (error) {
    throw new Error(`No Chromium: @sparticuz/chromium could not unpack its browser (${(error as Error).message}); run npm install`);
  }
  // The package's flags are made for Lambda; keep the browser's web security (CORS is part of what is tested)
  // and keep it off the network it cannot reach here.
  const args = chromium.args
    .filter((arg) => !['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials'].includes(arg))
    .concat(['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']);
  return playwright.launch({ executablePath, args, headless: true });
}

/** Where screenshots go: kept after the run as test artifacts (CI keeps the folder). */
export const ARTIFACTS = path.resolve('test-artifacts/console');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects what the page reports as errors (console errors, uncaught exceptions, failed requests). */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return errors;
}

/**
 * What axe-core (Deque's accessibility engine, run in the page) finds against WCAG 2.1 A and AA on the
 * page as it is now: labels, names, contrast, landmarks, ARIA use. Each finding as "rule: target".
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ content: axe.source });
  const violations = (await page.evaluate(`window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => String(n.target)) })))`)) as Array<{ id: string; targets: string[] }>;
  return violations.flatMap((violation) => violation.targets.map((target) => `${violation.id}: ${target}`));
}
