import { campaignDeps } from '../../lib/container';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE_BUCKET } from '../../tools/local/local-campaigns';
import { type CampaignStack, startCampaignStack } from '../support/campaign-stack';
import { templateInput } from '../support/fixtures';
import { tokens } from '../support/local-api';

/**
 * The findings of the campaign integrity issue, each repeated where it was found: through the local HTTP
 * API, with the state machine the CDK app synthesizes, the FIFO queue and the worker.
 */
let env: CampaignStack;
beforeAll(async () => {
  // Small S3 pages, so that an audience file of a few hundred users spans many pages.
  env = await startCampaignStack('integrity', { settings: { campaigns: { audiencePageBytes: 256 } } });
}, 120_000);
afterAll(() => env?.stop());

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function template(overrides: Record<string, unknown>): Promise<string> {
  const created = await env.api.request('POST', '/v1/admin/templates', { token: env.admin, body: templateInput(overrides) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await env.api.request('POST', `/v1/admin/templates/${created.body.id}/status`, { token: env.admin, body: { status: 'active' } })).status).toBe(200);
  return created.body.id;
}
const campaign = (body: Record<string, unknown>) => env.api.request('POST', '/v1/admin/campaigns', { token: env.admin, body });
const post = (path: string) => env.api.request('POST', path, { token: env.admin });

describe('campaign integrity (local HTTP API, synthesized state machine, FIFO lanes)', () => {
  it('finding 1, with a cancel: no coupon is written after the reservation was given back; stock left + issued = stock added', async () => {
    const templateId = await template({ stock: { total: 3_000, shards: 4 }, claimable: false });
    expect((await campaign({ campaignId: 'f1-cancel', templateId, audience: { type: 'inline', userIds: users('f1', 2_000) }, rate: { batchSize: 1, maxConcurrency: 2 } })).status).toBe(202);
    await env.waitForCampaign('f1-cancel', (p) => p.status === 'running' && p.issued > 0);
    const cancelled = await post('/v1/admin/campaigns/f1-cancel/cancel');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'OPERATOR' });

    const ledger = await env.expectLedgerBalances(templateId);
    const issued = (await env.campaignCoupons('f1-cancel')).length;
    expect(issued).toBeLessThan(2_000);
    expect(ledger.inShards + issued).toBe(3_000);
    // The queued chunks keep arriving after the cancel; none of them writes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await env.campaignCoupons('f1-cancel')).length).toBe(issued);
    const progress = await env.waitForCampaign('f1-cancel');
    expect(progress).toMatchObject({ issued, stock: { reserved: 2_000, givenBack: 2_000 - issued, outstanding: 0 } });
  });

  it('finding 2: a template whose validity is over issues nothing and keeps its stock', async () => {
    const templateId = await template({
      validity: { type: 'fixed', from: '2020-01-01T00:00:00Z', until: '2020-02-01T00:00:00Z' },
      claimWindow: { until: '2020-01-15T00:00:00Z' },
      stock: { total: 10, shards: 1 },
    });
    const claim = await env.api.request('POST', '/v1/coupons/claim', { token: await tokens.user('f2-user'), body: { templateIds: [templateId] }, headers: { 'idempotency-key': 'k' } });
    expect(claim.body.error.details.refusals[0].reason).toBe('CLAIM_ENDED');
    expect((await campaign({ campaignId: 'f2', templateId, audience: { type: 'inline', userIds: ['f2-a', 'f2-b'] } })).status).toBe(202);
    expect(await env.waitForCampaign('f2')).toMatchObject({ status: 'failed', reason: 'VALIDITY_ENDED', issued: 0 });
    expect(await env.campaignCoupons('f2')).toHaveLength(0);
    expect((await env.expectLedgerBalances(templateId)).inShards).toBe(10);
  });

  it('finding 3: the per-user limit holds across claims and campaigns, both ways', async () => {
    const templateId = await template({ stock: { total: 100, shards: 2 }, perUserLimit: 2 });
    const [claimedTwice, campaignFirst] = [await tokens.user('f3-claimer'), await tokens.user('f3-receiver')];
    const claim = (token: string, key: string) => env.api.request('POST', '/v1/coupons/claim', { token, body: { templateIds: [templateId] }, headers: { 'idempotency-key': key } });
    expect((await claim(claimedTwice, 'a')).status).toBe(201);
    expect((await claim(claimedTwice, 'b')).status).toBe(201);
    expect((await campaign({ campaignId: 'f3', templateId, audience: { type: 'inline', userIds: ['f3-claimer', 'f3-receiver'] } })).status).toBe(202);
    expect(await env.waitForCampaign('f3')).toMatchObject({ status: 'completed', processed: 2, issued: 1, skipped: 1, skippedByReason: { LIMIT_REACHED: 1 } });
    expect((await env.campaignCoupons('f3')).map((c) => c.userId)).toEqual(['f3-receiver']);
    // The campaign coupon counts toward the limit: one more claim, not two.
    expect((await claim(campaignFirst, 'a')).status).toBe(201);
    const third = await claim(campaignFirst, 'b');
    expect(third.status).toBe(409);
    expect(third.body.error.details.refusals[0].reason).toBe('LIMIT_REACHED');
    await env.expectLedgerBalances(templateId);
  });

  it('finding 5: a second request under the same id never replaces the audience; the same request answers the same campaign', async () => {
    const templateId = await template({ stock: { total: 100, shards: 1 }, claimable: false });
    const body = { campaignId: 'f5', templateId, audience: { type: 'inline', userIds: ['f5-a', 'f5-b'] } };
    expect((await campaign(body)).status).toBe(202);
    const swapped = await campaign({ ...body, audience: { type: 'inline', userIds: ['f5-intruder'] } });
    expect(swapped.status).toBe(409);
    expect(swapped.body.error.code).toBe('CAMPAIGN_EXISTS');
    const replay = await campaign(body);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await env.waitForCampaign('f5')).toMatchObject({ status: 'completed', total: 2, issued: 2 });
    expect((await env.campaignCoupons('f5')).map((c) => c.userId).sort()).toEqual(['f5-a', 'f5-b']);
  });

  it('finding 6: pausing the template pauses its campaigns (no new coupons), activating it resumes them to completion', async () => {
    const templateId = await template({ stock: { total: 1_000, shards: 2 }, claimable: false });
    expect((await campaign({ campaignId: 'f6', templateId, audience: { type: 'inline', userIds: users('f6', 400) }, rate: { batchSize: 1, maxConcurrency: 2 } })).status).toBe(202);
    await env.waitForCampaign('f6', (p) => p.status === 'running' && p.issued > 0);
    expect((await env.api.request('POST', `/v1/admin/templates/${templateId}/status`, { token: env.admin, body: { status: 'paused' } })).status).toBe(200);
    const paused = await env.waitForCampaign('f6', (p) => p.status === 'paused');
    expect(paused.reason).toBe('TEMPLATE_NOT_ACTIVE');
    // Chunks that had drawn finish; then nothing more is written while paused.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const whilePaused = (await env.campaignCoupons('f6')).length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await env.campaignCoupons('f6')).length).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(400);

    expect((await env.api.request('POST', `/v1/admin/templates/${templateId}/status`, { token: env.admin, body: { status: 'active' } })).status).toBe(200);
    expect(await env.waitForCampaign('f6')).toMatchObject({ status: 'completed', processed: 400, issued: 400 });
    expect(await env.campaignCoupons('f6')).toHaveLength(400);
    await env.expectLedgerBalances(templateId);
  });

  it('an operator pauses, resumes and cancels; the list shows campaigns by template and status', async () => {
    // Large enough, one chunk a user, that it is still running when the operator pauses it.
    const templateId = await template({ stock: { total: 3_000, shards: 2 }, claimable: false });
    expect((await campaign({ campaignId: 'ops', templateId, audience: { type: 'inline', userIds: users('ops', 2_000) }, rate: { batchSize: 1, maxConcurrency: 2 } })).status).toBe(202);
    await env.waitForCampaign('ops', (p) => p.status === 'running' && p.issued > 0);
    expect((await post('/v1/admin/campaigns/ops/pause')).body).toMatchObject({ status: 'paused', reason: 'OPERATOR' });
    expect((await post('/v1/admin/campaigns/ops/pause')).status).toBe(200); // again: a no-op
    const listed = await env.api.request('GET', `/v1/admin/campaigns?templateId=${templateId}&status=paused`, { token: env.admin });
    expect(listed.body.items.map((c: { campaignId: string }) => c.campaignId)).toEqual(['ops']);
    expect((await post('/v1/admin/campaigns/ops/resume')).body.status).toBe('running');
    const cancelled = await post('/v1/admin/campaigns/ops/cancel');
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'OPERATOR' });
    expect(cancelled.body.history.map((h: { status: string }) => h.status)).toEqual(['requested', 'preparing', 'running', 'paused', 'running', 'cancelled']);
    expect((await post('/v1/admin/campaigns/ops/resume')).status).toBe(409);
    const ledger = await env.expectLedgerBalances(templateId);
    expect(ledger.campaigns[0]).toMatchObject({ campaignId: 'ops', outstanding: 0, inFlight: 0 });
    const events = readFileSync(env.eventsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((e) => e['detail-type'] === 'CampaignCancelled');
    expect(events.map((e) => e.detail.data)).toEqual(expect.arrayContaining([expect.objectContaining({ campaignId: 'ops', reason: 'OPERATOR' })]));
  });

  it('finding 7: the same user on several pages of an S3 file at once gets one coupon, counted once', async () => {
    const templateId = await template({ stock: { total: 1_000, shards: 2 }, claimable: false });
    // Pages of 256 bytes hold about 20 ids; every user appears on three pages.
    const ids = users('f7', 60);
    const lines = [...ids, ...ids.reverse(), ...ids.reverse()].join('\n');
    await env.stack.queues.s3.send(new PutObjectCommand({ Bucket: LOCAL_AUDIENCE_BUCKET, Key: 'f7.txt', Body: lines }));
    expect((await campaign({ campaignId: 'f7', templateId, audience: { type: 's3', bucket: LOCAL_AUDIENCE_BUCKET, key: 'f7.txt' }, rate: { batchSize: 5, maxConcurrency: 10 } })).status).toBe(202);
    expect(await env.waitForCampaign('f7')).toMatchObject({ status: 'completed', total: 180, processed: 180, issued: 60, skipped: 120, failed: 0, skippedByReason: { DUPLICATE: 120 } });
    expect(await env.campaignCoupons('f7')).toHaveLength(60);
    await env.expectLedgerBalances(templateId);
    // Prepare kept the file's repeat filter: every one of these users is flagged, so every chunk looked them up.
    const campaigns = campaignDeps(env.stack.container);
    const started = await campaigns.campaigns.get('f7');
    expect(started?.repeats).toBeDefined();
    const repeats = await campaigns.audiences.readRepeats('f7', started!.repeats!);
    expect(ids.filter((userId) => !repeats.has(userId))).toEqual([]);
  });
});
