import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteWithRetries } from '../dynamo';
import { campaignAudienceChunkKey } from '../keys';

/**
 * Where a campaign's users come from, a page at a time: memory stays flat however large the audience.
 * A cursor is opaque to callers; `undefined` starts at the beginning, and no `nextCursor` means done.
 */
export interface AudienceSource {
  readPage(cursor: string | undefined): Promise<{ userIds: string[]; nextCursor?: string }>;
}

const splitLines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/** An S3 object with one user id per line, read by byte ranges: a page is at most `pageBytes` of it. */
export class S3AudienceSource implements AudienceSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly pageBytes = 4 * 1024 * 1024,
  ) {}

  async readPage(cursor: string | undefined): Promise<{ userIds: string[]; nextCursor?: string }> {
    const start = Number(cursor ?? 0);
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key, Range: `bytes=${start}-${start + this.pageBytes - 1}` }));
    const body = Buffer.from(await response.Body!.transformToByteArray());
    const size = Number(/\/(\d+)$/.exec(response.ContentRange ?? '')?.[1] ?? start + body.length);
    const end = start + body.length;
    if (end >= size) return { userIds: splitLines(body.toString('utf8')) };
    // Stop at the last complete line; the next page starts right after it.
    const lastNewline = body.lastIndexOf(0x0a);
    if (lastNewline < 0) throw new Error(`audience line longer than ${this.pageBytes} bytes at offset ${start}`);
    return { userIds: splitLines(body.subarray(0, lastNewline).toString('utf8')), nextCursor: String(start + lastNewline + 1) };
  }

  /** Counts non-blank lines by streaming the object once (what "processed" must reach). */
  async count(): Promise<number> {
    let cursor: string | undefined;
    let total = 0;
    do {
      const page = await this.readPage(cursor);
      total += page.userIds.length;
      cursor = page.nextCursor;
    } while (cursor);
    return total;
  }
}

export const AUDIENCE_CHUNK_USERS = 1_000;

/** An inline audience (at most 10,000 ids) kept in the campaign's partition, 1,000 user ids an item. */
export class StoredAudienceSource implements AudienceSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly campaignId: string,
    private readonly chunks: number,
  ) {}

  static async store(client: DynamoDBDocumentClient, tableName: string, campaignId: string, userIds: readonly string[]): Promise<number> {
    const chunks: string[][] = [];
    for (let i = 0; i < userIds.length; i += AUDIENCE_CHUNK_USERS) chunks.push(userIds.slice(i, i + AUDIENCE_CHUNK_USERS));
    const requests = chunks.map((ids, chunk) => ({ PutRequest: { Item: { ...campaignAudienceChunkKey(campaignId, chunk), entity: 'campaign-audience', userIds: ids } } }));
    const left = await batchWriteWithRetries(client, tableName, requests, { maxAttempts: 8, baseDelayMs: 50 });
    if (left.length > 0) throw new Error(`could not store ${left.length} audience chunks of campaign ${campaignId}`);
    return chunks.length;
  }

  /** The whole list is one page (at most 10,000 ids), so duplicates anywhere in it are found in one place. */
  async readPage(): Promise<{ userIds: string[]; nextCursor?: string }> {
    const chunks = await Promise.all(
      Array.from({ length: this.chunks }, async (_, chunk) => {
        const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: campaignAudienceChunkKey(this.campaignId, chunk), ConsistentRead: true }));
        return (Item?.userIds as string[] | undefined) ?? [];
      }),
    );
    return { userIds: chunks.flat() };
  }
}
