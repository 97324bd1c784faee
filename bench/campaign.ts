/**
 * npm run bench:campaign [-- --users N] — a campaign to N users (default 1,000,000) end to end on the local
 * stack (S3 audience -> event bus -> the synthesized state machine -> SQS -> worker -> DynamoDB Local),
 * against raw BatchWriteItem of the same coupon items in the same run; the process's peak heap for a
 * tenth of the users and for all of them; write units per coupon. Writes its section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { campaignCouponId, ENDED_STATUSES } from '../lib/campaigns/campaign';
import { campaignProgress, requestCampaign } from '../lib/campaigns/campaign-requests';
import { issueCoupon } from '../lib/coupons/coupon';
import { batchWriteAll } from '../lib/dynamodb/batch';
import { Entity, entityItem } from '../lib/entities';
import { userCouponKey } from '../lib/keys';
import { freePort, repoRoot } from '../tools/local/dynamodb-local';
import { LOCAL_AUDIENCE_BUCKET } from '../tools/local/local-campaigns';
import { startLocalStack } from '../tools/local/stack';
import { benchTable, benchTemplate } from './fixtures';
import { benchArgs, fmt, itemSizeBytes, machineLine, writeResultsSection, writeUnits } from './support';

const { users: USERS, concurrency: CONCURRENCY, raw: RAW_PARALLEL_CALLS } = benchArgs({ users: 1_000_000, concurrency: 4, raw: 16 });

const table = await benchTable('bench-campaigns');
// The raw run writes into the same table (other user ids): DynamoDB Local serves a second table more than ten
// times slower once the first one has taken heavy load (measured here: 113 against 4,770 items/s).
const rawTable = table.tableName;
// fauxqs in its own process: on AWS the queue backlog lives in SQS, not in the worker.
const fauxqsPort = await freePort();
const fauxqs = spawn(process.execPath, ['--input-type=module', '-e', `const { startFauxqs } = await import('fauxqs'); await startFauxqs({ port: ${fauxqsPort}, logger: false });`], { cwd: repoRoot, stdio: 'ignore' });
process.once('exit', () => fauxqs.kill('SIGKILL'));
const fauxqsEndpoint = `http://127.0.0.1:${fauxqsPort}`;
for (let i = 0; i < 100; i++) {
  if (await fetch(fauxqsEndpoint).then(() => true, () => false)) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-campaign-')), 'events.jsonl');
const stack = await startLocalStack({
  dynamodbEndpoint: table.dynamodb.endpoint,
  tableName: table.tableName,
  eventsFile,
  queues: { fauxqsEndpoint },
  workerConcurrency: CONCURRENCY,
  campaignWaitMs: 500,
  streams: false,
});
const flow = stack.container.campaigns();
const template = await benchTemplate(table, { name: 'campaign bench', stock: { total: 3 * USERS, shards: 16 } });

async function uploadAudience(campaignId: string, users: number) {
  const body = Buffer.from(Array.from({ length: users }, (_, i) => `${campaignId}-user-${i}`).join('\n'));
  // Multipart, as any upload of a large audience file is.
  await new Upload({ client: stack.queues.s3, params: { Bucket: LOCAL_AUDIENCE_BUCKET, Key: `${campaignId}.txt`, Body: body }, partSize: 8 * 1024 * 1024 }).done();
}

/** Live heap: what is still referenced after a full collection (needs node --expose-gc), not garbage waiting for one. */
const liveHeap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

async function runCampaign(campaignId: string, users: number) {
  await uploadAudience(campaignId, users);
  let peakHeap = liveHeap();
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, liveHeap());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 1_000);
  const started = performance.now();
  await requestCampaign(flow, { campaignId, templateId: template.id, audience: { type: 's3', bucket: LOCAL_AUDIENCE_BUCKET, key: `${campaignId}.txt` }, rate: { batchSize: 100, maxConcurrency: CONCURRENCY } });
  let progress = await campaignProgress(flow, campaignId).catch(() => undefined);
  while (!progress || !ENDED_STATUSES.includes(progress.status)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress = await campaignProgress(flow, campaignId).catch(() => undefined);
    if (progress) process.stdout.write(`\r${campaignId}: ${progress.processed}/${progress.total} issued ${progress.issued}`);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  process.stdout.write('\n');
  return { progress, seconds, perSecond: progress.issued / seconds, peakHeapMb: peakHeap / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
}

const small = await runCampaign('bench-tenth', Math.round(USERS / 10));
const full = await runCampaign('bench-full', USERS);

// The local SQS event source keeps long-polling while idle: stop it, so the raw run has the machine to itself.
await stack.stop();

// Raw BatchWriteItem of the same items (same shape and size, other users), same table, same engine.
const nowMs = Date.now();
const item = (i: number) => {
  const userId = `raw-user-${i}`;
  const id = campaignCouponId('bench-raw', userId);
  return entityItem(Entity.coupon, userCouponKey(userId, id), { ...issueCoupon(template, { id, userId, nowMs, source: 'campaign', campaignId: 'bench-raw' }), campaignChunk: `0:${i - (i % 100)}` });
};
const rawStarted = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: RAW_PARALLEL_CALLS }, async () => {
    while (next < USERS) {
      const from = next;
      next += 25;
      const requests = Array.from({ length: Math.min(25, USERS - from) }, (_, k) => ({ PutRequest: { Item: item(from + k) } }));
      const left = await batchWriteAll(table.client, rawTable, requests, { maxAttempts: 10, baseDelayMs: 20 });
      if (left.length > 0) throw new Error('raw write left items');
    }
  }),
);
const rawSeconds = (performance.now() - rawStarted) / 1000;
const rawPerSecond = USERS / rawSeconds;

const couponBytes = itemSizeBytes(item(0));
fauxqs.kill();
await table.dynamodb.stop();

const ratio = full.perSecond / rawPerSecond;
const markdown = `
## Directed issuance (\`npm run bench:campaign\`)

Command: \`npm run bench:campaign -- --users ${USERS} --concurrency ${CONCURRENCY} --raw ${RAW_PARALLEL_CALLS}\`; ${new Date().toISOString().slice(0, 10)}; ${machineLine()}, fauxqs for SQS and S3 in its own process.

End to end: S3 audience file -> CampaignRequested on the local bus -> the state machine CDK synthesizes (aws-local-stepfunctions)
-> SQS chunks of 100 users -> the worker (${CONCURRENCY} batches of 10 messages in flight) -> DynamoDB Local.

| run | users | issued | seconds | coupons/s | peak live heap | peak RSS |
|---|---|---|---|---|---|---|
| campaign, a tenth | ${small.progress.total.toLocaleString('en-US')} | ${small.progress.issued.toLocaleString('en-US')} | ${fmt(small.seconds)} | ${fmt(small.perSecond, 0)} | ${fmt(small.peakHeapMb, 0)} MB | ${fmt(small.peakRssMb, 0)} MB |
| campaign, all | ${full.progress.total.toLocaleString('en-US')} | ${full.progress.issued.toLocaleString('en-US')} | ${fmt(full.seconds)} | ${fmt(full.perSecond, 0)} | ${fmt(full.peakHeapMb, 0)} MB | ${fmt(full.peakRssMb, 0)} MB |
| raw BatchWriteItem, same items (${RAW_PARALLEL_CALLS} calls in flight) | ${USERS.toLocaleString('en-US')} | ${USERS.toLocaleString('en-US')} | ${fmt(rawSeconds)} | ${fmt(rawPerSecond, 0)} | | |
| **ratio campaign / raw** | | | | **${fmt(ratio, 2)}** (goal >= 0.70) | | |

Peak memory is the whole process (state machine, worker, SDK clients; SQS and S3 run in fauxqs's own process),
live heap sampled after a forced full GC every second: ${fmt(small.peakHeapMb, 0)} MB heap for
${small.progress.total.toLocaleString('en-US')} users against ${fmt(full.peakHeapMb, 0)} MB for ${full.progress.total.toLocaleString('en-US')}: the audience is read in 4 MB pages
and each message holds 100 users, so memory does not grow with the audience.

**Write units per coupon on AWS**: a campaign coupon item is ${couponBytes} bytes (<= 1 KB), written by BatchWriteItem (not
transactional): **1 WCU per coupon**; coupon items carry no GSI key, so no index write. Per chunk of 100 users add one
transaction of 2 items (chunk marker + counter shard): 4 WCU, i.e. 0.04 WCU per user; and the existence check, a
eventually consistent BatchGetItem: 0.5 RCU per user. Total per coupon: **1.04 WCU + 0.5 RCU**.
`;
writeResultsSection('campaign', markdown);
console.log(markdown);
process.exit(0);
