import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchWriteAll } from '../dynamodb/batch';
import { Entity, entityItem } from '../entities';
import { campaignAudienceChunkKey, campaignRepeatsKey } from '../keys';
import type { AudiencePage, AudienceStore } from './audience-store';
import type { AudienceLocation, RepeatFilterRef } from './campaign';
import { BloomFilter } from './repeat-filter';

/** Bytes of a repeat filter per item (an item holds at most 400 KB). */
const REPEATS_PART_BYTES = 300_000;

/** User ids per stored item of an inline audience (at most 10,000 ids, so at most 10 items). */
export const AUDIENCE_CHUNK_USERS = 1_000;

/** Where an inline audience of `count` users is kept once stored. */
export const storedAudienceOf = (count: number): AudienceLocation => ({ type: 'stored', chunks: Math.ceil(count / AUDIENCE_CHUNK_USERS), count });

const splitLines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/**
 * Audiences in the table (inline lists, 1,000 user ids an item in the campaign's partition, read back as
 * one page so duplicates anywhere in them are found in one place) and in S3 (one user id per line, read
 * by byte ranges of `pageBytes`).
 */
export class AudienceRepository implements AudienceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Loaded on first use (lib/clients.ts). */
    private readonly s3: () => Promise<S3Client>,
    private readonly pageBytes: number,
  ) {}

  async storeInline(campaignId: string, userIds: readonly string[]): Promise<AudienceLocation> {
    const requests: Parameters<typeof batchWriteAll>[2][number][] = [];
    for (let i = 0, chunk = 0; i < userIds.length; i += AUDIENCE_CHUNK_USERS, chunk++) {
      requests.push({ PutRequest: { Item: entityItem(Entity.campaignAudience, campaignAudienceChunkKey(campaignId, chunk), { userIds: userIds.slice(i, i + AUDIENCE_CHUNK_USERS) }) } });
    }
    const left = await batchWriteAll(this.client, this.tableName, requests, { maxAttempts: 8, baseDelayMs: 50 });
    if (left.length > 0) throw new Error(`could not store ${left.length} audience chunks of campaign ${campaignId}`);
    return storedAudienceOf(userIds.length);
  }

  async readPage(campaignId: string, location: AudienceLocation, cursor: string | undefined): Promise<AudiencePage> {
    if (location.type === 's3') return this.readS3Page(location.bucket, location.key, Number(cursor ?? 0));
    const keys = Array.from({ length: location.chunks }, (_, chunk) => campaignAudienceChunkKey(campaignId, chunk));
    const items = await batchGetAll(this.client, this.tableName, keys, { consistent: true, maxAttempts: 8, baseDelayMs: 50 });
    const byKey = new Map(items.map((item) => [String(item.sk), (item.userIds as string[] | undefined) ?? []]));
    return { userIds: keys.flatMap((key) => byKey.get(key.sk) ?? []), approximateTotal: location.count };
  }

  async storeRepeats(campaignId: string, filter: BloomFilter): Promise<RepeatFilterRef> {
    const parts = Math.ceil(filter.bits.length / REPEATS_PART_BYTES);
    const requests = Array.from({ length: parts }, (_, part) => ({
      PutRequest: { Item: entityItem(Entity.campaignRepeats, campaignRepeatsKey(campaignId, part), { bits: filter.bits.subarray(part * REPEATS_PART_BYTES, (part + 1) * REPEATS_PART_BYTES) }) },
    }));
    const left = await batchWriteAll(this.client, this.tableName, requests, { maxAttempts: 8, baseDelayMs: 50 });
    if (left.length > 0) throw new Error(`could not store the repeat filter of campaign ${campaignId}`);
    return { parts, size: filter.size, probes: filter.probes };
  }

  /**
   * A stored filter never changes, and the enqueue step reads it once per page: the last one read is kept
   * for the environment (one campaign's at a time: at 100 M users it is ~2.4 MB).
   */
  async readRepeats(campaignId: string, ref: RepeatFilterRef): Promise<BloomFilter> {
    if (this.lastRepeats?.campaignId !== campaignId) {
      const filter = this.loadRepeats(campaignId, ref);
      // A failed read is not kept: the next page reads again.
      filter.catch(() => {
        if (this.lastRepeats?.filter === filter) this.lastRepeats = undefined;
      });
      this.lastRepeats = { campaignId, filter };
    }
    return this.lastRepeats.filter;
  }

  private lastRepeats: { readonly campaignId: string; readonly filter: Promise<BloomFilter> } | undefined;

  private async loadRepeats(campaignId: string, ref: RepeatFilterRef): Promise<BloomFilter> {
    const keys = Array.from({ length: ref.parts }, (_, part) => campaignRepeatsKey(campaignId, part));
    const items = await batchGetAll(this.client, this.tableName, keys, { consistent: true, maxAttempts: 8, baseDelayMs: 50 });
    const byKey = new Map(items.map((item) => [String(item.sk), item.bits as Uint8Array]));
    const parts = keys.map((key) => byKey.get(key.sk));
    if (parts.some((part) => part === undefined)) throw new Error(`the repeat filter of campaign ${campaignId} is incomplete`);
    return BloomFilter.fromBytes(Buffer.concat(parts as Uint8Array[]), ref.size, ref.probes);
  }

  private async readS3Page(bucket: string, key: string, start: number): Promise<AudiencePage> {
    const [s3, { GetObjectCommand }] = await Promise.all([this.s3(), import('@aws-sdk/client-s3')]);
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${start + this.pageBytes - 1}` }));
    const body = Buffer.from(await response.Body!.transformToByteArray());
    const size = Number(/\/(\d+)$/.exec(response.ContentRange ?? '')?.[1] ?? start + body.length);
    const approximately = (userIds: string[], bytes: number) => Math.max(userIds.length, Math.round((userIds.length / Math.max(1, bytes)) * size));
    if (start + body.length >= size) {
      const userIds = splitLines(body.toString('utf8'));
      return { userIds, approximateTotal: approximately(userIds, body.length) };
    }
    // Stop at the last complete line; the next page starts right after it.
    const lastNewline = body.lastIndexOf(0x0a);
    if (lastNewline < 0) throw new Error(`audience line longer than ${this.pageBytes} bytes at offset ${start}`);
    const userIds = splitLines(body.subarray(0, lastNewline).toString('utf8'));
    return { userIds, nextCursor: String(start + lastNewline + 1), approximateTotal: approximately(userIds, lastNewline + 1) };
  }
}
