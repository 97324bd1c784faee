import { campaignDeps } from '../lib/container';
/**
 * npm run bench:campaign [-- --small 200000 --users 1000000] — campaigns end to end on the local stack
 * (S3 audience -> event bus -> the synthesized state machine -> SQS FIFO lanes -> worker -> DynamoDB
 * Local) on a campaign-only template (the 1-WCU path), at two sizes, each against raw BatchWriteItem of
 * the same coupon items in the same run; the process's peak heap; then the counted path (a claimable
 * template with a per-user limit) against raw TransactWriteItems of the same two items per user; write
 * and read units per coupon for both. Writes its section of bench/RESULTS.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Upload } from '@aws-sdk/lib-storage';
import { campaignCouponId, ENDED_STATUSES } from '../lib/campaigns/campaign';
import { campaignProgress, requestCampaign } from '../lib/campaigns/campaign-requests';
import { issueCoupon } from '../lib/coupons/coupon';
import { couponItem } from '../lib/coupons/coupon-item';
import { batchWriteAll } from '../lib/dynamodb/batch';
import { Entity, entityItem } from '../lib/entities';
import { campaignChunkKey, campaignCounterKey, campaignReservationKey, userClaimCounterKey, userCouponKey } from '../lib/keys';
import type { Template } from '../lib/templates/template';
import { LOCAL_AUDIENCE_BUCKET } from '../tools/local/local-campaigns';
import { startLocalStack } from '../tools/local/stack';
import { benchTable, benchTemplate } from './fixtures';
import { benchArgs, fmt, itemSizeBytes, machineLine, startFauxqsProcess, writeResultsSection, writeUnits } from './support';

const { small: SMALL, users: USERS, counted: COUNTED_USERS, concurrency: CONCURRENCY, raw: RAW_PARALLEL_CALLS, batch: BATCH, warmup: WARM_UP } = benchArgs({
  warmup: 50_000,
  small: 200_000,
  users: 1_000_000,
  counted: 2_000,
  concurrency: 4,
  raw: 16,
  batch: 500,
});

const table = await benchTable('bench-campaigns');
// fauxqs in its own process: on AWS the queue backlog lives in SQS, not in the worker.
const fauxqsEndpoint = await startFauxqsProcess();

const eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-campaign-')), 'events.jsonl');
const stack = await startLocalStack({ dynamodbEndpoint: table.dynamodb.endpoint, tableName: table.tableName, eventsFile, queues: { fauxqsEndpoint }, workerConcurrency: CONCURRENCY, campaignWaitMs: 500, streams: false });
const flow = campaignDeps(stack.container);
const campaignOnly = await benchTemplate(table, { name: 'campaign bench', stock: { total: 3 * USERS + WARM_UP, shards: 16 }, claimable: false });
const counted = await benchTemplate(table, { name: 'counted campaign bench', stock: { total: 3 * COUNTED_USERS, shards: 16 }, perUserLimit: 2 });

async function uploadAudience(campaignId: string, users: number) {
  const body = Buffer.from(Array.from({ length: users }, (_, i) => `${campaignId}-user-${i}`).join('\n'));
  // Multipart, as any upload of a large audience file is.
  await new Upload({ client: stack.queues.s3, params: { Bucket: LOCAL_AUDIENCE_BUCKET, Key: `${campaignId}.txt`, Body: body }, partSize: 8 * 1024 * 1024 }).done();
}

async function runCampaign(campaignId: string, users: number, template: Template) {
  await uploadAudience(campaignId, users);
  // Sampled without forcing a collection: a forced gc() every second cost this process about 15% of its
  // throughput. The peak therefore includes garbage not yet collected, an upper bound of the live heap.
  let peakHeap = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    peakHeap = Math.max(peakHeap, memory.heapUsed);
    peakRss = Math.max(peakRss, memory.rss);
  }, 500);
  const started = performance.now();
  await requestCampaign(flow, { campaignId, templateId: template.id, audience: { type: 's3', bucket: LOCAL_AUDIENCE_BUCKET, key: `${campaignId}.txt` }, rate: { batchSize: BATCH, maxConcurrency: CONCURRENCY } });
  let progress = await campaignProgress(flow, campaignId).catch(() => undefined);
  while (!progress || !ENDED_STATUSES.includes(progress.status)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress = await campaignProgress(flow, campaignId).catch(() => undefined);
    if (progress) process.stdout.write(`\r${campaignId}: ${progress.status} ${progress.processed}/${progress.total} issued ${progress.issued}`);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  process.stdout.write('\n');
  if (progress.status !== 'completed' || progress.issued !== users) throw new Error(`${campaignId} ended ${progress.status} with ${progress.issued} of ${users} issued`);
  return { progress, seconds, perSecond: progress.issued / seconds, peakHeapMb: peakHeap / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
}

// A warm-up campaign first (not measured): DynamoDB Local's JVM compiles its hot paths during the first
// minute of a new kind of load, which would otherwise be charged to whichever run comes first.
await runCampaign('bench-warm-up', WARM_UP, campaignOnly);
const small = await runCampaign('bench-small', SMALL, campaignOnly);
const full = await runCampaign('bench-full', USERS, campaignOnly);
const countedRun = await runCampaign('bench-counted', COUNTED_USERS, counted);

// The local SQS event source keeps long-polling while idle: stop it, so the raw runs have the machine to itself.
await stack.stop();

// Raw writes of the same items (same shape and size, other users), same table, same engine.
const nowMs = Date.now();
const coupon = (template: Template, prefix: string, i: number) => {
  const userId = `${prefix}-user-${i}`;
  const id = campaignCouponId(prefix, userId);
  return couponItem({ ...issueCoupon(template, { id, userId, nowMs, source: 'campaign', campaignId: prefix }), campaignChunk: `0:${i % 40}:${i - (i % BATCH)}` });
};
async function rawRun(users: number, parallel: number, perCall: number, write: (from: number, n: number) => Promise<unknown>) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < users) {
        const from = next;
        next += perCall;
        await write(from, Math.min(perCall, users - from));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: users / seconds };
}
const rawBatch = (prefix: string) => async (from: number, n: number) => {
  const requests = Array.from({ length: n }, (_, k) => ({ PutRequest: { Item: coupon(campaignOnly, prefix, from + k) } }));
  const left = await batchWriteAll(table.client, table.tableName, requests, { maxAttempts: 10, baseDelayMs: 20 });
  if (left.length > 0) throw new Error('raw write left items');
};
const counterItem = (userId: string) => ({ Update: { TableName: table.tableName, Key: userClaimCounterKey(userId, counted.id), UpdateExpression: 'SET entity = :e, templateId = :t ADD claimed :one', ConditionExpression: 'attribute_not_exists(claimed) OR claimed < :limit', ExpressionAttributeValues: { ':e': Entity.claimCounter, ':t': counted.id, ':one': 1, ':limit': 2 } } });
const rawCounted = async (from: number) => {
  const item = coupon(counted, 'raw-counted', from);
  await table.client.send(new TransactWriteCommand({ TransactItems: [counterItem(String(item.userId)), { Put: { TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }] }));
};
await rawRun(WARM_UP, RAW_PARALLEL_CALLS, 25, rawBatch('raw-warm-up'));
const rawSmall = await rawRun(SMALL, RAW_PARALLEL_CALLS, 25, rawBatch('raw-small'));
const rawFull = await rawRun(USERS, RAW_PARALLEL_CALLS, 25, rawBatch('raw-full'));
// The worker sends 25 of these transactions at once per chunk, CONCURRENCY x 10 chunks in flight: the same per-call parallelism here.
const rawCountedRun = await rawRun(COUNTED_USERS, 25 * Math.min(CONCURRENCY * 10, 4), 1, rawCounted);

// Item sizes by DynamoDB's rules, for write units.
const couponBytes = itemSizeBytes(coupon(campaignOnly, 'bench-size', 0));
const counterBytes = itemSizeBytes({ ...userClaimCounterKey('bench-size-user-0', counted.id), entity: Entity.claimCounter, templateId: counted.id, claimed: 2 });
const markerBytes = itemSizeBytes({ ...campaignChunkKey('bench-full', `0:39:${USERS}`), entity: Entity.campaignChunk, state: 'recorded', drawn: BATCH, takes: [{ shard: 15, quantity: BATCH }], drawnAt: new Date().toISOString(), recordedAt: new Date().toISOString(), counts: { processed: BATCH, issued: BATCH, failed: 0, skippedDUPLICATE: 0, skippedLIMIT_REACHED: 0, skippedVALIDITY_ENDED: 0 } });
const reservationBytes = itemSizeBytes({ ...campaignReservationKey('bench-full', 15), entity: Entity.campaignReservation, campaignId: 'bench-full', shard: 15, initial: USERS, available: USERS, drawn: USERS, returned: 0, givenBack: 0, state: 'open' });
const counterShardBytes = itemSizeBytes({ ...campaignCounterKey('bench-full', 15), entity: Entity.campaignCounter, processed: USERS, issued: USERS, failed: 0, skippedDUPLICATE: 0, skippedLIMIT_REACHED: 0, skippedVALIDITY_ENDED: 0 });
// Per chunk: the draw (marker put + reservation shard update) and the count (marker update + counter shard update), each item in a transaction.
const chunkWcu = 2 * (writeUnits(markerBytes, false) + writeUnits(reservationBytes, false)) + 2 * (writeUnits(markerBytes, false) + writeUnits(counterShardBytes, false));
const perUserChunkWcu = chunkWcu / BATCH;

await table.dynamodb.stop();

const ratioSmall = small.perSecond / rawSmall.perSecond;
const ratioFull = full.perSecond / rawFull.perSecond;
const ratioCounted = countedRun.perSecond / rawCountedRun.perSecond;
const row = (label: string, users: number, seconds: number, perSecond: number, extra = '| |') => `| ${label} | ${users.toLocaleString('en-US')} | ${fmt(seconds)} | ${fmt(perSecond, 0)} ${extra}`;
const markdown = `
## Directed issuance (\`npm run bench:campaign\`)

Command: \`npm run bench:campaign -- --warmup ${WARM_UP} --small ${SMALL} --users ${USERS} --counted ${COUNTED_USERS} --concurrency ${CONCURRENCY} --raw ${RAW_PARALLEL_CALLS} --batch ${BATCH}\`; ${new Date().toISOString().slice(0, 10)}; ${machineLine()}, fauxqs for SQS and S3 in its own process.

Both sides ran after a warm-up of ${WARM_UP.toLocaleString('en-US')} users each (not measured). End to end: S3 audience file -> CampaignRequested on the local bus -> the state machine CDK synthesizes (aws-local-stepfunctions)
-> SQS FIFO chunks of ${BATCH} users, one message group per lane -> the worker (${CONCURRENCY} batches of 10 messages in flight) -> DynamoDB Local.
Each chunk draws its units from its lane's reservation shard, checks who holds the coupon (consistent BatchGetItem) for the users the audience's repeat filter flags
(none for ${SMALL.toLocaleString('en-US')} users: one 4 MB page; the ${USERS.toLocaleString('en-US')}-user file has several pages, so its prepare step built the filter), writes the coupons and counts itself.

**Campaign-only template** (the 1-WCU path: BatchWriteItem, no per-user counter):

| run | users | seconds | coupons/s | peak heap used | peak RSS |
|---|---|---|---|---|---|
${row('campaign', SMALL, small.seconds, small.perSecond, `| ${fmt(small.peakHeapMb, 0)} MB | ${fmt(small.peakRssMb, 0)} MB |`)}
${row('raw BatchWriteItem, same items', SMALL, rawSmall.seconds, rawSmall.perSecond)}
| **ratio campaign / raw** | ${SMALL.toLocaleString('en-US')} | | **${fmt(ratioSmall, 2)}** (goal >= 0.80) | | |
${row('campaign', USERS, full.seconds, full.perSecond, `| ${fmt(full.peakHeapMb, 0)} MB | ${fmt(full.peakRssMb, 0)} MB |`)}
${row('raw BatchWriteItem, same items', USERS, rawFull.seconds, rawFull.perSecond)}
| **ratio campaign / raw** | ${USERS.toLocaleString('en-US')} | | **${fmt(ratioFull, 2)}** (goal >= 0.80) | | |

Peak heap used counts garbage not yet collected (the sampler no longer forces a collection, which cost ~15% of throughput), so it is an upper bound
of what the process holds; by design that is bounded: the audience is read in 4 MB pages, each message holds ${BATCH} users, and the repeat filter of
${USERS.toLocaleString('en-US')} users is ~2 MB (14.4 bits a user). The bench process also hosts the local stack (state machine, worker, bus).

**Claimable template with a per-user limit** (the counted path: per user one TransactWriteItems of the claim counter and the coupon):

| run | users | seconds | coupons/s |
|---|---|---|---|
${row('campaign', COUNTED_USERS, countedRun.seconds, countedRun.perSecond, '|')}
${row('raw TransactWriteItems, same 2 items per user', COUNTED_USERS, rawCountedRun.seconds, rawCountedRun.perSecond, '|')}
| **ratio campaign / raw** | | | **${fmt(ratioCounted, 2)}** |

**Units per coupon on AWS** (item sizes by DynamoDB's rules: coupon ${couponBytes} B, claim counter ${counterBytes} B, chunk marker ${markerBytes} B,
reservation shard ${reservationBytes} B, counter shard ${counterShardBytes} B; each <= 1 KB; each coupon also writes its lifecycle index entry, 1 index write unit, counted below):

| path | per coupon | per chunk of ${BATCH} (draw + count transactions) | total per coupon |
|---|---|---|---|
| campaign-only | ${writeUnits(couponBytes, false)} WCU (BatchWriteItem) + 1 index write + a consistent existence check (1 RCU) only for users the repeat filter flags (at most ~1.1% plus real repeats) | ${chunkWcu} WCU + 1 RCU (campaign read, once per environment) | **${fmt(writeUnits(couponBytes, false) + 1 + perUserChunkWcu, 3)} WCU + ~0.02 RCU** |
| claimable, per-user limit | ${writeUnits(couponBytes, true) + writeUnits(counterBytes, true)} WCU (counter + coupon, transactional: 2 per item) + 1 index write | ${chunkWcu} WCU | **${fmt(writeUnits(couponBytes, true) + writeUnits(counterBytes, true) + 1 + perUserChunkWcu, 3)} WCU**, no read |
`;
writeResultsSection('campaign', markdown);
console.log(markdown);
process.exit(0);
