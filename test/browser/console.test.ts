import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../tools/local/stack';
import { ARTIFACTS, accessibilityViolations, launchChromium, screenshot, watchForErrors } from '../support/browser';
import { createTestTable } from '../support/dynamodb';
import { type RunningApi, startLocalApi, tokens } from '../support/local-api';

/**
 * The back-office console in a real headless Chromium (Playwright), against the whole local stack
 * (DynamoDB Local, the emulated queues and S3, the campaign state machine, the stream consumers): each
 * step is what an operator does, and each page is kept as a screenshot in test-artifacts/console/.
 */
let stack: LocalStack;
let api: RunningApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const badAnswers: string[] = [];
let templateId = '';

beforeAll(async () => {
  const table = await createTestTable('console');
  stack = await startLocalStack({
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    eventsFile: path.join(mkdtempSync(path.join(tmpdir(), 'console-events-')), 'events.jsonl'),
    queues: { visibilityTimeoutSeconds: 2 },
    campaignWaitMs: 200,
    streams: { from: 'TRIM_HORIZON', intervalMs: 200 },
  });
  api = await startLocalApi(stack.api);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  errors = watchForErrors(page);
  page.on('response', (response) => {
    if (response.status() >= 400) badAnswers.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await stack?.stop();
});

const status = (testId: string) => page.getByTestId(testId);
/** How long a page may take to show what an action did (expect.poll waits 1 s by default; a loaded 2-core machine needs more). */
const POLL = { timeout: 15_000 };

describe('the back-office console', () => {
  it('signs in (development sign-in on the local stack) and shows every section', async () => {
    await page.goto(`${api.baseUrl}/console/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Coupons back office' }).isVisible(), POLL).toBe(true);
    await screenshot(page, '01-sign-in');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('User').fill('marketer-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.waitFor();
    for (const section of ['Templates', 'Numbers', 'Campaigns', 'Code batches', 'Support']) expect(await nav.getByRole('link', { name: section }).isVisible()).toBe(true);
    await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    expect(await page.getByText('marketer-1').isVisible()).toBe(true);
    await screenshot(page, '02-templates');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('creates a template: a bad value gets the API\'s field error next to its field, then the draft is created', async () => {
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Browser spring sale');
    await page.getByLabel('Type').selectOption('percent_off');
    await page.getByLabel('Percent off').fill('150');
    await page.getByLabel('Stock', { exact: true }).fill('1000');
    await page.getByRole('button', { name: 'Create draft' }).click();
    const percent = page.getByLabel('Percent off');
    await expect.poll(() => percent.getAttribute('aria-invalid'), POLL).toBe('true');
    const describedBy = (await percent.getAttribute('aria-describedby')) ?? '';
    const fieldError = page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error'))}"]`);
    expect(await fieldError.textContent()).toMatch(/10000|less than or equal/i);
    expect(await page.getByRole('alert').first().textContent()).toContain('VALIDATION_FAILED');
    await screenshot(page, '03-template-field-error');
    expect(await accessibilityViolations(page)).toEqual([]);
    // The preview computes the saving with the platform's pricing engine as the form changes.
    await percent.fill('15');
    await page.getByLabel('Largest discount (EUR, optional)').fill('10.00');
    await expect.poll(() => page.getByTestId('preview-result').textContent(), POLL).toContain('Saving 10.00 EUR on 110.00 EUR');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect.poll(() => status('template-status').textContent().catch(() => ''), POLL).toBe('draft');
    templateId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    expect(templateId).toMatch(/^[0-9A-Z]{26}$/);
    const stored = await api.request('GET', `/v1/admin/templates/${templateId}`, { token: await tokens.admin() });
    expect(stored.body.effect).toEqual({ type: 'percent_off', percentOffBps: 1500, maxDiscount: 1000 });
    expect(badAnswers).toEqual(['400 POST /v1/admin/templates']);
  });

  it('activates the template and adds stock', async () => {
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => status('template-status').textContent(), POLL).toBe('active');
    await page.getByLabel('Add stock').fill('500');
    await page.getByRole('button', { name: 'Add stock' }).click();
    await expect.poll(() => status('template-stock').textContent(), POLL).toContain('1500 added');
    await screenshot(page, '04-template-active');
  });

  it('runs a 1,000-user campaign from an uploaded file (pre-signed S3 upload), pauses and resumes it, and watches it complete', async () => {
    await page.getByRole('link', { name: 'Campaign', exact: true }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await page.getByLabel('Campaign id').fill('browser-campaign-1');
    const userIds = Array.from({ length: 1_000 }, (_, i) => `browser-user-${i}`);
    await page.getByLabel('Audience file').setInputFiles({ name: 'audience.txt', mimeType: 'text/plain', buffer: Buffer.from(`${userIds.join('\n')}\n`) });
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await page.getByRole('heading', { name: 'Campaign browser-campaign-1' }).waitFor();
    // Pause it while it runs, watch it hold, resume it.
    await expect.poll(() => status('campaign-status').textContent(), { timeout: 60_000, interval: 200 }).toBe('running');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => status('campaign-status').textContent(), POLL).toBe('paused');
    await screenshot(page, '05-campaign-paused');
    const issuedWhilePaused = Number(await status('campaign-issued').textContent());
    expect(issuedWhilePaused).toBeLessThan(1000);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => status('campaign-status').textContent(), POLL).not.toBe('paused');
    await expect.poll(() => status('campaign-status').textContent(), { timeout: 180_000, interval: 500 }).toBe('completed');
    expect(await status('campaign-issued').textContent()).toBe('1000');
    await screenshot(page, '06-campaign-completed');
    expect(await accessibilityViolations(page)).toEqual([]);
    const stored = await api.request('GET', '/v1/admin/campaigns/browser-campaign-1', { token: await tokens.admin() });
    expect(stored.body.campaign ?? stored.body).toMatchObject({ status: 'completed', issued: 1000, total: 1000 });
  }, 240_000);

  it('creates a code batch, watches it generate, downloads its export and revokes it', async () => {
    await page.goto(`${api.baseUrl}/console/#/codes/new/${templateId}`);
    await page.getByLabel('Batch id').fill('browser-batch-1');
    await page.getByLabel('How many codes').fill('200');
    await page.getByLabel('Pattern (optional)').fill('WEB-####-####');
    await page.getByRole('button', { name: 'Create batch' }).click();
    await page.getByRole('heading', { name: 'Code batch browser-batch-1' }).waitFor();
    await expect.poll(() => status('batch-status').textContent(), { timeout: 60_000 }).toBe('ready');
    await page.getByRole('button', { name: 'Export codes' }).click();
    const link = page.getByTestId('export-link');
    await link.waitFor();
    await screenshot(page, '07-code-batch');
    expect(await accessibilityViolations(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(ARTIFACTS, 'browser-batch-1.csv');
    await download.saveAs(file);
    const codes = readFileSync(file, 'utf8').split('\n').filter((line) => /^WEB-[A-Z0-9]{4}-[A-Z0-9]{4}/.test(line));
    expect(codes).toHaveLength(200);
    expect(new Set(codes).size).toBe(200);
    // Revoke it (after the browser's confirmation): its stock goes back to the template.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke batch' }).click();
    await expect.poll(() => status('batch-status').textContent(), POLL).toBe('revoked');
  }, 120_000);

  it('shows the statistics change after a user claims', async () => {
    await page.goto(`${api.baseUrl}/console/#/numbers/${templateId}`);
    await expect.poll(() => status('stats-issued').textContent().catch(() => ''), { timeout: 30_000 }).toBe('1000');
    await screenshot(page, '08-numbers-before');
    const claimed = await api.request('POST', '/v1/coupons/claim', { token: await tokens.user('shopper-42'), body: { templateIds: [templateId] }, headers: { 'idempotency-key': 'browser-claim-1' } });
    expect(claimed.status).toBe(201);
    await expect.poll(() => status('stats-issued').textContent(), { timeout: 30_000, interval: 500 }).toBe('1001');
    expect(await status('ledger-balanced').textContent()).toMatch(/^Balanced/);
    await screenshot(page, '09-numbers-after');
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 60_000);

  it('looks up a user\'s wallet and tags, and edits the block list (support)', async () => {
    await page.getByRole('link', { name: 'Support' }).click();
    await page.getByLabel('User id').fill('shopper-42');
    await page.getByRole('button', { name: 'Look up' }).click();
    const view = page.getByTestId('user-view');
    await view.waitFor();
    expect(await view.getByRole('row').count()).toBe(2);
    expect(await view.textContent()).toContain('Browser spring sale');
    await page.getByLabel('Tags of shopper-42').fill('vip, newsletter');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await expect.poll(async () => (await api.request('GET', '/v1/admin/users/shopper-42/tags', { token: await tokens.admin() })).body.tags, POLL).toEqual(['newsletter', 'vip']);
    await page.getByLabel('Blocked product ids (one per line)').fill('gift-card\nsku-banned');
    await page.getByRole('button', { name: 'Save block list' }).click();
    await expect.poll(() => page.getByText('Saved: 2 products blocked.').isVisible(), POLL).toBe(true);
    await screenshot(page, '10-support');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('fits a tablet, keeps working from the keyboard, and the browser console stayed clean', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${api.baseUrl}/console/#/templates`);
    await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, '11-tablet-templates');
    // Keyboard: a page change moves the focus to its heading (screen readers announce it); Tab then reaches the page's first action, Enter follows it.
    expect(await page.evaluate('document.activeElement?.tagName + " " + document.activeElement?.textContent')).toBe('H1 Templates');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('New template');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New template' }).waitFor();
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
    const expectedBad = ['400 POST /v1/admin/templates'];
    expect(badAnswers).toEqual(expectedBad);
    // Chromium reports every 4xx answer to fetch as a console error; the one the test provoked is no fault of the page.
    expect(errors.filter((error) => !/Failed to load resource: the server responded with a status of 400/.test(error))).toEqual([]);
  });
});
