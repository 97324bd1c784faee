import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { untilDone } from '../retry';
import type { ChunkMessage } from './campaign';
import { type ChunkQueue, messageGroupOf } from './chunk-queue';

const SEND_BATCH = 10;
const PARALLEL_BATCHES = 10;
const SEND_ATTEMPTS = 8;

/**
 * SQS FIFO: SendMessageBatch of 10, ten calls in flight, entries SQS refused sent again (bounded). Each
 * chunk goes to its lane's message group, deduplicated by its id (and the resend token, if any).
 */
export class SqsChunkQueue implements ChunkQueue {
  constructor(
    /** Loaded on first use (lib/clients.ts). */
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly ChunkMessage[], options: { readonly resend?: string } = {}): Promise<void> {
    const batches: ChunkMessage[][] = [];
    for (let i = 0; i < messages.length; i += SEND_BATCH) batches.push(messages.slice(i, i + SEND_BATCH));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, async () => {
        while (next < batches.length) await this.sendBatch(batches[next++]!, options.resend);
      }),
    );
  }

  private async sendBatch(batch: readonly ChunkMessage[], resend: string | undefined): Promise<void> {
    const entries = batch.map((message, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(message),
      MessageGroupId: messageGroupOf(message),
      MessageDeduplicationId: createHash('sha256').update(`${message.campaignId}\n${message.chunkId}\n${resend ?? ''}`).digest('hex'),
    }));
    const [sqs, { SendMessageBatchCommand }] = await Promise.all([this.sqs(), import('@aws-sdk/client-sqs')]);
    const refused = await untilDone(entries, SEND_ATTEMPTS, { baseDelayMs: 50 }, async (pending) => {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: [...pending] }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      return pending.filter((entry) => failed.has(entry.Id));
    });
    if (refused.length > 0) throw new Error(`SQS refused ${refused.length} campaign chunks after ${SEND_ATTEMPTS} attempts`);
  }
}
