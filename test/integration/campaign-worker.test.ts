import { campaignDeps } from '../../lib/container';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Campaign, type ChunkMessage, campaignCouponId, countsOf } from '../../lib/campaigns/campaign';
import { retryFailedUsers } from '../../lib/campaigns/campaign-lifecycle';
import { issueCampaignChunk } from '../../lib/campaigns/campaign-worker';
import { chunksOf } from '../../lib/campaigns/chunks';
import { userCouponKey } from '../../lib/keys';
import { lockCouponsForOrder } from '../../lib/orders/order-service';
import { activeTemplate } from '../support/claims';
import { chunksFor, faultyClient, runningCampaign, workerDepsFor } from '../support/campaigns';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { items, orderDepsFor } from '../support/orders';

let table: TestTable;
let templateId: string;
beforeAll(async () => {
  table = await createTestTable('campaign-worker');
  // Campaign-only: the 1-WCU path (BatchWriteItem) that these faults are about.
  templateId = await activeTemplate(table, { stock: { total: 100_000, shards: 4 }, claimable: false });
});

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const start = (campaignId: string, audience: string[]) => runningCampaign(table, { campaignId, templateId, userIds: audience });
const chunks = { totals: (id: string) => campaignDeps(testContainer(table)).chunks.totals(id), failedUsers: (id: string) => campaignDeps(testContainer(table)).chunks.failedUsers(id) };

/** After a fault test: each user holds exactly one coupon of the campaign, and the counters match the items. */
async function expectBooksBalance(campaignId: string, audience: string[], expected: { skipped?: number; failed?: number } = {}) {
  const coupons = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.campaignId === campaignId);
  const holders = coupons.map((c) => String(c.userId));
  expect(new Set(holders).size).toBe(holders.length);
  const counts = countsOf(await chunks.totals(campaignId));
  expect(counts.issued).toBe(coupons.length);
  expect(counts.processed).toBe(audience.length);
  expect(counts.skipped).toBe(expected.skipped ?? 0);
  expect(counts.failed).toBe(expected.failed ?? 0);
  if (!expected.failed) expect(new Set(holders)).toEqual(new Set(audience));
  return counts;
}

/** Delivers a message until the worker says done, as SQS would (receive count grows). */
async function deliverUntilDone(deps: Parameters<typeof issueCampaignChunk>[0], message: ChunkMessage) {
  for (let receive = 1; receive <= 10; receive++) {
    try {
      const outcome = await issueCampaignChunk(deps, message, receive);
      if (outcome.kind === 'done') return receive;
    } catch {
      // a crash: the message comes back after the visibility timeout
    }
  }
  throw new Error('never finished');
}

/** The audience as one chunk; `mayRepeat` as the repeat filter would say (by default: nobody is in another chunk, the shortcut without reads). */
const onlyChunk = (campaign: Campaign, audience: string[], mayRepeat: (userId: string) => boolean = () => false) => {
  const [message, ...rest] = chunksOf({ ...campaign, lanes: 1 }, audience, { page: '0', mayRepeat });
  expect(rest).toEqual([]);
  return message!;
};

describe('campaign worker under faults (DynamoDB Local)', () => {
  it('with throttling injected (UnprocessedItems and throughput exceptions), still issues exactly one coupon per user', async () => {
    const audience = users('thr', 300);
    const campaign = await start('c-throttle', audience);
    const deps = workerDepsFor(table, { client: faultyClient(table.client, { unprocessedShare: 0.4, throttledCalls: 0.3 }), writeAttempts: 8 });
    for (const message of chunksFor(campaign, audience)) await deliverUntilDone(deps, message);
    await expectBooksBalance('c-throttle', audience);
  });

  it('after a crash in the middle of a batch, the redelivery finishes it and counts it once', async () => {
    const audience = users('crash', 100);
    const message = onlyChunk(await start('c-crash', audience), audience);
    await expect(issueCampaignChunk(workerDepsFor(table, { client: faultyClient(table.client, { crashAfterWrites: 2 }) }), message, 1)).rejects.toThrow('injected crash');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the two writes that went out before the crash land
    const partial = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.campaignId === 'c-crash').length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(100);
    // The redelivery counts every coupon of the chunk, those the crashed delivery wrote included.
    expect(await issueCampaignChunk(workerDepsFor(table), message, 2)).toEqual({ kind: 'done', counted: true, issued: 100 });
    await expectBooksBalance('c-crash', audience);
  });

  it('counts duplicate deliveries once, sequential or concurrent, and counts audience duplicates as skipped', async () => {
    const audience = users('dup', 100);
    const campaign = await start('c-dup', [...audience, ...audience.slice(0, 10)]);
    const repeating = new Set(audience.slice(0, 10));
    const message = onlyChunk(campaign, audience, (userId) => repeating.has(userId));
    await Promise.all([issueCampaignChunk(workerDepsFor(table), message, 1), issueCampaignChunk(workerDepsFor(table), message, 1)]);
    expect(await issueCampaignChunk(workerDepsFor(table), message, 2)).toEqual({ kind: 'done', counted: false });
    // the same users again in another chunk (a duplicate line on another page of the audience file): skipped, not issued again
    await issueCampaignChunk(workerDepsFor(table), { ...message, chunkId: '1:0:0', userIds: audience.slice(0, 10), mayRepeat: audience.slice(0, 10) }, 1);
    const coupons = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.campaignId === 'c-dup');
    expect(coupons).toHaveLength(100);
    expect(countsOf(await chunks.totals('c-dup'))).toEqual({ processed: 110, issued: 100, skipped: 10, failed: 0 });
  });

  it('on a first delivery, looks up only the users the repeat filter names before writing', async () => {
    const audience = users('look', 90);
    const campaign = await start('c-look', audience);
    const looked: number[] = [];
    const counting = faultyClient(table.client, {});
    const send = counting.send.bind(counting);
    counting.send = (async (command: unknown) => {
      if (command instanceof BatchGetCommand) looked.push(...Object.values(command.input.RequestItems ?? {}).map((request) => request.Keys?.length ?? 0));
      return send(command as never);
    }) as typeof counting.send;
    const message = onlyChunk(campaign, audience, (userId) => userId === 'look-7' || userId === 'look-89');
    expect(message.mayRepeat).toEqual(['look-7', 'look-89']);
    expect(await issueCampaignChunk(workerDepsFor(table, { client: counting }), message, 1)).toEqual({ kind: 'done', counted: true, issued: 90 });
    expect(looked).toEqual([2]);
    expect(await expectBooksBalance('c-look', audience)).toMatchObject({ issued: 90 });
  });

  it('never resets a coupon the user locked before a redelivery', async () => {
    const audience = users('lock', 50);
    const message = onlyChunk(await start('c-lock', audience), audience);
    await expect(issueCampaignChunk(workerDepsFor(table, { client: faultyClient(table.client, { crashAfterWrites: 1 }) }), message, 1)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const userId = audience[0]!;
    const couponId = campaignCouponId('c-lock', userId);
    await lockCouponsForOrder(orderDepsFor(table), 'c-lock-order', { userId, couponIds: [couponId], kind: 'purchase', currency: 'EUR', items });
    await issueCampaignChunk(workerDepsFor(table), message, 2);
    const coupon = (await table.client.send(new GetCommand({ TableName: table.tableName, Key: userCouponKey(userId, couponId), ConsistentRead: true }))).Item!;
    expect(coupon).toMatchObject({ status: 'locked', orderId: 'c-lock-order' });
    await expectBooksBalance('c-lock', audience);
  });

  it('gives up on users that cannot be written after three deliveries, records them, and one retry issues them', async () => {
    const audience = users('fail', 60);
    const campaign = await start('c-fail', audience);
    const broken = workerDepsFor(table, { client: faultyClient(table.client, { unprocessedShare: 0.5 }), writeAttempts: 1 });
    const message = onlyChunk(campaign, audience);
    expect((await issueCampaignChunk(broken, message, 1)).kind).toBe('retry-later');
    expect((await issueCampaignChunk(broken, message, 2)).kind).toBe('retry-later');
    const third = await issueCampaignChunk(broken, message, 3);
    expect(third).toMatchObject({ kind: 'done', counted: true });
    const failed = await chunks.failedUsers('c-fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(third.kind === 'done' && third.issued).toBe(60 - failed.length);
    expect((await chunks.totals('c-fail')).failed).toBe(failed.length);

    // The retry call sends failed users as retry chunks; here we deliver the chunks it would send.
    for (const retry of chunksOf(campaign, failed, { retry: '1' })) await issueCampaignChunk(workerDepsFor(table), retry, 1);
    expect(await chunks.failedUsers('c-fail')).toEqual([]);
    await expectBooksBalance('c-fail', audience);
  });

  it('finding 4: retrying the failed users twice (both rounds delivered, duplicates too) equals retrying once; no count goes below zero', async () => {
    const audience = users('twice', 40);
    const campaign = await start('c-twice', audience);
    const broken = workerDepsFor(table, { client: faultyClient(table.client, { unprocessedShare: 0.5 }), writeAttempts: 1 });
    const [message] = chunksFor({ ...campaign, lanes: 1 }, audience);
    for (let receive = 1; receive <= 3; receive++) await issueCampaignChunk(broken, message!, receive);
    const failedBefore = await chunks.failedUsers('c-twice');
    expect(failedBefore.length).toBeGreaterThan(0);

    const sent: ChunkMessage[] = [];
    const deps = campaignDeps(testContainer(table, {}, { chunkQueue: { send: async (messages) => void sent.push(...messages) } }));
    expect(await retryFailedUsers(deps, 'c-twice')).toEqual({ campaignId: 'c-twice', retried: failedBefore.length });
    await new Promise((resolve) => setTimeout(resolve, 5)); // another round: other chunk ids, same users
    await retryFailedUsers(deps, 'c-twice');
    expect(new Set(sent.map((m) => m.chunkId)).size).toBe(sent.length);
    for (const retry of [...sent, ...sent]) {
      await issueCampaignChunk(workerDepsFor(table), retry, 1);
      expect((await chunks.totals('c-twice')).failed).toBeGreaterThanOrEqual(0);
    }
    expect(await chunks.failedUsers('c-twice')).toEqual([]);
    await expectBooksBalance('c-twice', audience);
  });
});
