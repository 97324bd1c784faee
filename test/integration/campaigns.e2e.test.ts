import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDED_STATUSES } from '../../lib/campaigns/campaign';
import { TemplateRepository } from '../../lib/templates/template-repository';
import { progressBar, runCampaignCli } from '../../tools/campaign-cli';
import { LOCAL_AUDIENCE_BUCKET } from '../../tools/local/local-campaigns';
import { type LocalStack, startLocalStack } from '../../tools/local/stack';
import { activeTemplate } from '../support/claims';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { type RunningApi, startLocalApi, tokens } from '../support/local-api';

let table: TestTable;
let stack: LocalStack;
let api: RunningApi;
let admin: string;
let eventsFile: string;

beforeAll(async () => {
  table = await createTestTable('campaigns-e2e');
  eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'campaign-events-')), 'events.jsonl');
  stack = await startLocalStack({ dynamodbEndpoint: table.endpoint, tableName: table.tableName, eventsFile, queues: { visibilityTimeoutSeconds: 1 }, campaignWaitMs: 200, streams: false });
  api = await startLocalApi(stack.api);
  admin = await tokens.admin();
}, 120_000);
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

async function waitForCampaign(campaignId: string) {
  for (let i = 0; i < 300; i++) {
    const result = await api.request('GET', `/v1/admin/campaigns/${campaignId}`, { token: admin });
    if (result.status === 200 && ENDED_STATUSES.includes(result.body.status)) return result.body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`campaign ${campaignId} did not finish`);
}
const campaignCoupons = async (campaignId: string) => (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.campaignId === campaignId);
const remainingStock = async (templateId: string) => (await new TemplateRepository(table.client, table.tableName).stockShards(templateId)).reduce((s, x) => s + x.available, 0);

describe('campaigns end to end: API -> event bus -> the synthesized state machine -> SQS -> worker', () => {
  it('issues one coupon per user of an inline audience, counts duplicates as skipped, gives unused stock back and announces completion', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 1_000, shards: 4 } });
    const userIds = [...Array.from({ length: 250 }, (_, i) => `inline-${i}`), 'inline-0', 'inline-1'];
    const requested = await api.request('POST', '/v1/admin/campaigns', { token: admin, body: { campaignId: 'spring-sale', templateId, audience: { type: 'inline', userIds }, rate: { batchSize: 40, maxConcurrency: 3 } } });
    expect(requested.status).toBe(202);

    const done = await waitForCampaign('spring-sale');
    expect(done).toMatchObject({ status: 'completed', total: 252, processed: 252, issued: 250, skipped: 2, failed: 0 });
    expect(done.completedAt).toBeDefined();
    const coupons = await campaignCoupons('spring-sale');
    expect(coupons).toHaveLength(250);
    expect(new Set(coupons.map((c) => c.userId)).size).toBe(250);
    expect(await remainingStock(templateId)).toBe(750);

    const completed = readFileSync(eventsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((e) => e['detail-type'] === 'CampaignCompleted');
    expect(completed.map((e) => e.detail.data)).toEqual([expect.objectContaining({ campaignId: 'spring-sale', issued: 250, skipped: 2, failed: 0, status: 'completed' })]);

    const again = await api.request('POST', '/v1/admin/campaigns', { token: admin, body: { campaignId: 'spring-sale', templateId, audience: { type: 'inline', userIds: ['late-user'] } } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CAMPAIGN_EXISTS');
  });

  it('reads a large audience from S3 by pages', async () => {
    // Campaign-only templates: the 1-WCU path; the per-user transaction path is tested where limits are the point.
    const templateId = await activeTemplate(table, { stock: { total: 20_000, shards: 8 }, claimable: false });
    const lines = Array.from({ length: 5_000 }, (_, i) => `s3-user-${i}`).join('\n');
    await stack.queues.s3.send(new PutObjectCommand({ Bucket: LOCAL_AUDIENCE_BUCKET, Key: 'audiences/s3.txt', Body: `${lines}\n\n` }));
    const requested = await api.request('POST', '/v1/admin/campaigns', { token: admin, body: { campaignId: 'from-s3', templateId, audience: { type: 's3', bucket: LOCAL_AUDIENCE_BUCKET, key: 'audiences/s3.txt' } } });
    expect(requested.status).toBe(202);
    expect(await waitForCampaign('from-s3')).toMatchObject({ status: 'completed', total: 5_000, issued: 5_000, skipped: 0, failed: 0 });
    expect(await campaignCoupons('from-s3')).toHaveLength(5_000);
    expect(await remainingStock(templateId)).toBe(15_000);
  });

  it('ends with a reason when the template has too little stock, taking none', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 5, shards: 1 } });
    await api.request('POST', '/v1/admin/campaigns', { token: admin, body: { campaignId: 'too-big', templateId, audience: { type: 'inline', userIds: Array.from({ length: 10 }, (_, i) => `tb-${i}`) } } });
    expect(await waitForCampaign('too-big')).toMatchObject({ status: 'failed', reason: 'INSUFFICIENT_STOCK' });
    expect(await remainingStock(templateId)).toBe(5);
    expect(await campaignCoupons('too-big')).toHaveLength(0);
  });

  it('moves a poison message to the dead-letter queue after five receives', async () => {
    const poison = '{"not": "a chunk"';
    await stack.queues.sqs.send(new SendMessageCommand({ QueueUrl: stack.queues.queueUrl, MessageBody: poison, MessageGroupId: 'poison:0', MessageDeduplicationId: 'poison' }));
    // Looked for by its body: on a loaded machine, chunks of the tests above that outlived this stack's 1-second
    // visibility timeout five times may sit in the dead-letter queue too (their work was done by an earlier receive).
    let found: { Body?: string; Attributes?: Record<string, string> } | undefined;
    for (let i = 0; i < 60 && !found; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { Messages = [] } = await stack.queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queues.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      found = Messages.find((message) => message.Body === poison);
    }
    expect(found?.Body).toBe(poison);
  });

  it('the CLI runs a 10,000-user campaign to completion with its progress bar; a 12,000-user file goes through S3', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 30_000, shards: 8 }, claimable: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'campaign-cli-'));
    const stackFile = path.join(dir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify({ api: api.baseUrl, s3Endpoint: stack.queues.endpoint, audienceBucket: LOCAL_AUDIENCE_BUCKET }));
    const usersFile = path.join(dir, 'users.txt');
    writeFileSync(usersFile, Array.from({ length: 10_000 }, (_, i) => `cli-user-${i}`).join('\n'));
    let output = '';
    const progress = await runCampaignCli({ template: templateId, users: usersFile, campaign: 'cli-10k', stackFile, pollMs: 100 }, (text) => (output += text));
    expect(progress).toMatchObject({ status: 'completed', total: 10_000, issued: 10_000, failed: 0 });
    expect(output).toMatch(/\[#{30}\] 100%/);
    expect(output).toContain('completed: total 10000, issued 10000, skipped 0, failed 0');

    const bigFile = path.join(dir, 'big.txt');
    writeFileSync(bigFile, Array.from({ length: 12_000 }, (_, i) => `big-user-${i}`).join('\n'));
    expect(await runCampaignCli({ template: templateId, users: bigFile, campaign: 'cli-12k', stackFile, pollMs: 100 }, () => undefined)).toMatchObject({ status: 'completed', issued: 12_000 });
    expect(progressBar({ total: 4, processed: 1 }, 8)).toBe('[##------]  25%');
  });

  it('answers 404 for an unknown campaign and 400 for a bad request', async () => {
    expect((await api.request('GET', '/v1/admin/campaigns/nope', { token: admin })).status).toBe(404);
    const bad = await api.request('POST', '/v1/admin/campaigns', { token: admin, body: { campaignId: 'x', templateId: 'not-a-ulid', audience: { type: 'inline', userIds: [] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['templateId', 'audience.userIds']));
  });
});
