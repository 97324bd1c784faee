import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { claimCounterUpdate, couponPut } from '../lib/claims/claim-repository';
import { codeBatchShardKey, codeKey, userIdempotencyKey } from '../lib/keys';
import { codeDeps } from '../lib/container';
import { issueCoupon } from '../lib/coupons/coupon';
import { batchWriteAll } from '../lib/dynamodb/batch';
import { callGate } from '../lib/dynamodb/call-gate';
import { Entity, entityItem } from '../lib/entities';
import { createCodeBatch, exportCodeBatch, generateCodePart, redeemCode } from '../lib/codes/code-service';
import { normalizeCode } from '../lib/codes/code-format';
import type { StoredCode } from '../lib/codes/code-repository';
import { toIso } from '../lib/time';
import { LOCAL_CODE_EXPORT_BUCKET, startLocalQueues } from '../tools/local/local-campaigns';
import { LOCAL_CODE_SECRET } from '../tools/local/local-code-secret';
import { benchTable, benchTemplate } from './fixtures';
import { benchArgs, countRoundTrips, fmt, itemSizeBytes, machineLine, measure, type MemoryMeasured, measuredWithMemory, startFauxqsProcess, writeResultsSection } from './support';

/**
 * `npm run bench:codes`: generating 1,000,000 unique codes on DynamoDB Local (and fauxqs as S3 for the
 * export), against raw BatchWriteItem of the same items (the same code items, 25 a call, as many calls
 * in flight) in the same run, slice by slice in turns. The generation is what the worker does: each
 * part's codes made (keyed permutation, check character), hashed (HMAC), written, counted once, and the
 * last part writes the export. Every exported code is checked unique. A small run first gives the memory
 * baseline. Then redemption (the whole use case) against a raw TransactWriteItems of the same items.
 */
const { codes: CODES, small: SMALL, slices: SLICES, part: PART, inflight: IN_FLIGHT, redeem: REDEEM, concurrency: CONCURRENCY, warmup: WARM_UP } = benchArgs({
  codes: 1_000_000,
  small: 100_000,
  slices: 4,
  part: 10_000,
  inflight: 16,
  redeem: 2_000,
  concurrency: 16,
  warmup: 20_000,
});

const storage = await startLocalQueues({ fauxqsEndpoint: await startFauxqsProcess() });
const parts: Array<{ batchId: string; part: number }> = [];
const table = await benchTable('bench-codes', {
  codes: { exportBucket: LOCAL_CODE_EXPORT_BUCKET, developmentSecret: LOCAL_CODE_SECRET, partSize: PART, writeCallsInFlight: IN_FLIGHT, cacheTtlMs: 60_000 },
  // Redemptions come from many users and addresses; the failure windows are not what is measured.
  endpoints: { s3: storage.endpoint },
});
const { container, client } = table;
const deps = { ...codeDeps(container), queue: { sendParts: async (batchId: string, sent: readonly number[]) => void parts.push(...sent.map((part) => ({ batchId, part }))) } };
const template = await benchTemplate(table, { name: 'codes bench', stock: { total: 2 * (CODES + SMALL + WARM_UP), shards: 4 }, perUserLimit: 5 });
const validUntil = '2030-01-01T00:00:00.000Z';

type Measured = MemoryMeasured;
const measured = measuredWithMemory;

/** A batch generated as the worker generates it: parts one after the other (each keeps IN_FLIGHT writes in flight), the last writing the export. */
async function generate(batchId: string, count: number): Promise<number> {
  await createCodeBatch(deps, { templateId: template.id, request: { batchId, kind: 'unique', count, pattern: '####-####-####', charset: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789', validUntil }, by: 'bench' });
  let written = 0;
  for (const part of parts.splice(0)) written += (await generateCodePart(deps, part)).written;
  return written;
}

/** A stand-in for a code's hash: as long as one (22 characters), distinct per item. */
const rawHash = (prefix: string, i: number) => `${prefix}${String(i).padStart(22 - prefix.length, '0')}`;

/** The raw side: the same code items (a stored code is the same size whatever its hash), BatchWriteItem 25 a call, IN_FLIGHT calls in flight, a part at a time as the worker sends them. */
async function rawWrite(prefix: string, count: number): Promise<number> {
  const gate = callGate(IN_FLIGHT);
  for (let start = 0; start < count; start += PART) {
    const requests = Array.from({ length: Math.min(PART, count - start) }, (_, k) => {
      const code: StoredCode = { codeHash: rawHash(prefix, start + k), batchId: prefix, templateId: template.id, kind: 'unique', shard: (start + k) % 16, status: 'unused' };
      return { PutRequest: { Item: entityItem(Entity.code, codeKey(code.codeHash, code.batchId), code) } };
    });
    const left = await batchWriteAll(client, table.tableName, requests, { maxAttempts: 10, baseDelayMs: 20, inFlight: gate });
    if (left.length > 0) throw new Error(`${left.length} raw items not written`);
  }
  return count;
}

const progress = (text: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

progress(`warm-up: ${WARM_UP} codes each side`);
await generate('warm', WARM_UP);
await rawWrite('warmraw', WARM_UP);

progress(`small run: ${SMALL} codes`);
const small = await measured(() => generate('small', SMALL));

const perSlice = Math.floor(CODES / SLICES);
const runs = { generate: [] as Measured[], raw: [] as Measured[] };
for (let s = 0; s < SLICES; s++) {
  progress(`slice ${s + 1}/${SLICES}: generate ${perSlice}, then raw`);
  runs.generate.push(await measured(() => generate(`full-${s}`, perSlice)));
  runs.raw.push(await measured(() => rawWrite(`raw${s}`, perSlice)));
}
const total = (list: readonly Measured[]) => ({ items: list.reduce((a, r) => a + r.items, 0), seconds: list.reduce((a, r) => a + r.seconds, 0), peakHeapMb: Math.max(...list.map((r) => r.peakHeapMb)), peakRssMb: Math.max(...list.map((r) => r.peakRssMb)) });
const generated = total(runs.generate);
const raw = total(runs.raw);
if (generated.items !== perSlice * SLICES) throw new Error(`generated ${generated.items} of ${perSlice * SLICES}`);

// Every exported code unique, across the slices' batches (one code space), and as many code items in the table.
progress('checking uniqueness');
const seen = new Set<string>();
for (let s = 0; s < SLICES; s++) {
  const link = await exportCodeBatch(deps, { batchId: `full-${s}`, by: 'bench' });
  const lines = (await (await fetch(link.url)).text()).split('\n').filter(Boolean);
  if (lines.length !== perSlice) throw new Error(`export of slice ${s} has ${lines.length} codes`);
  for (const line of lines) seen.add(line);
}
if (seen.size !== perSlice * SLICES) throw new Error(`${perSlice * SLICES - seen.size} duplicate codes`);
const exported = [...seen].slice(0, REDEEM);
seen.clear();
let stored = 0;
await Promise.all(
  Array.from({ length: 8 }, async (_, segment) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table.tableName, Segment: segment, TotalSegments: 8, Select: 'COUNT', FilterExpression: 'entity = :code AND begins_with(batchId, :full)', ExpressionAttributeValues: { ':code': Entity.code, ':full': 'full-' }, ExclusiveStartKey: startKey }),
      );
      stored += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }),
);
if (stored !== perSlice * SLICES) throw new Error(`${stored} code items stored for ${perSlice * SLICES} codes`);

// Redemption: the use case (failure counters, lookup by hash, cached batch and template, one transaction) against the raw transaction alone.
progress(`redeem: ${REDEEM} codes, ${CONCURRENCY} in flight`);
const trips = countRoundTrips(client);
trips.reset();
const redeemed = await measure(REDEEM, CONCURRENCY, (i) => redeemCode(deps, { userId: `redeemer-${i}`, address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, code: exported[i]!, idempotencyKey: `bench-${i}` }));
const tripsPerRedemption = trips.count / REDEEM;
const nowIso = toIso(Date.now());
const rawShards = (await deps.codes.shards('full-1')).length;
const rawRedeem = await measure(REDEEM, CONCURRENCY, async (i) => {
  const userId = `raw-redeemer-${i}`;
  const coupon = issueCoupon(template, { id: `raw-coupon-${i}`, userId, nowMs: Date.now(), source: 'code', codeBatchId: 'raw0' });
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table.tableName,
            Key: codeKey(rawHash('raw0', i), 'raw0'),
            UpdateExpression: 'SET #status = :redeemed, redeemedBy = :user, couponId = :couponId, redeemedAt = :at',
            ConditionExpression: '#status = :unused',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':redeemed': 'redeemed', ':unused': 'unused', ':user': userId, ':couponId': coupon.id, ':at': nowIso },
          },
        },
        {
          Update: {
            TableName: table.tableName,
            Key: codeBatchShardKey('full-1', i % rawShards),
            UpdateExpression: 'SET available = available - :one ADD redeemed :one',
            ConditionExpression: '#state = :open AND available >= :one',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':one': 1, ':open': 'open' },
          },
        },
        claimCounterUpdate(table.tableName, { userId, templateId: template.id, quantity: 1, perUserLimit: 5 }),
        couponPut(table.tableName, coupon),
        { Put: { TableName: table.tableName, Item: entityItem(Entity.idempotency, userIdempotencyKey(userId, 'redeem', `raw-${i}`), { requestHash: 'h', couponIds: [coupon.id], createdAt: nowIso, expiresAt: 0 }), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }),
  );
});

const rate = (m: { items: number; seconds: number }) => m.items / m.seconds;
const sampleCode = entityItem(Entity.code, codeKey('x'.repeat(22), 'full-0'), { codeHash: 'x'.repeat(22), batchId: 'full-0', templateId: template.id, kind: 'unique', shard: 3, status: 'unused' });
const codeBytes = itemSizeBytes(sampleCode);
const row = (name: string, m: { items: number; seconds: number; peakHeapMb: number }, memory = true) => `| ${name} | ${fmt(m.items, 0)} | ${fmt(m.seconds)} | ${fmt(rate(m), 0)} | ${memory ? `${fmt(m.peakHeapMb, 0)} MB` : ''} |`;
const markdown = `
## Redemption codes (\`npm run bench:codes\`)

Command: \`npm run bench:codes -- --codes ${CODES} --small ${SMALL} --slices ${SLICES} --part ${PART} --inflight ${IN_FLIGHT} --redeem ${REDEEM} --concurrency ${CONCURRENCY} --warmup ${WARM_UP}\`; ${new Date().toISOString().slice(0, 10)}; ${machineLine()}, fauxqs as S3 in its own process.

**Generation**: ${fmt(CODES, 0)} unique codes (pattern \`####-####-####\`, default charset) in ${SLICES} batches of one code space, parts of ${fmt(PART, 0)}, after a warm-up of ${fmt(WARM_UP, 0)} each side.
Each code made by the keyed permutation with its check character, hashed (HMAC-SHA256), written with BatchWriteItem (${IN_FLIGHT} calls in flight), each part counted once in a transaction;
the last part of each batch streams the export (CSV) to S3. The raw side writes the same code items (${codeBytes} bytes each) with BatchWriteItem, a part (${fmt(PART, 0)}) at a time, ${IN_FLIGHT} calls in flight; the two take turns batch by batch.
Every exported code was read back and found unique (${fmt(CODES, 0)} distinct), and the table holds exactly ${fmt(stored, 0)} code items for them.

| run | codes | seconds | codes/s | peak live heap |
|---|---|---|---|---|
${row('generate (small run)', small)}
${row('generate', generated)}
${row('raw BatchWriteItem, same items', raw)}

**Generation / raw: ${fmt(rate(generated) / rate(raw), 2)}** (goal >= 0.8). Live heap (sampled after a forced collection): ${fmt(small.peakHeapMb, 0)} MB at ${fmt(SMALL, 0)} codes, ${fmt(generated.peakHeapMb, 0)} MB at ${fmt(perSlice, 0)} a batch (${fmt(CODES, 0)} in all): flat.

**Redemption** (${fmt(REDEEM, 0)} codes, ${CONCURRENCY} in flight, each by its own user and address): the use case answers ${fmt(redeemed.perSecond, 0)}/s (p50 ${fmt(redeemed.p50)} ms, p99 ${fmt(redeemed.p99)} ms) in ${fmt(tripsPerRedemption, 2)} round trips
(failure counters BatchGetItem, code Query by hash, one TransactWriteItems of 5 items; batch and template cached), against ${fmt(rawRedeem.perSecond, 0)}/s (p50 ${fmt(rawRedeem.p50)} ms, p99 ${fmt(rawRedeem.p99)} ms)
for the raw TransactWriteItems of the same 5 items alone: **${fmt(redeemed.perSecond / rawRedeem.perSecond, 2)}**. The two reads before the transaction are the price of refusing guesses before any lookup and of answering a replay without writing.
`;
writeResultsSection('codes', markdown);
process.stdout.write(markdown);
await storage.stop();
container.clients.destroy();
await table.dynamodb.stop();
process.exit(0);
