import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { untilDone } from '../retry';
import type { ChunkMessage } from './campaign';
import type { ChunkQueue } from './chunk-queue';

const SEND_BATCH = 10;
const PARALLEL_BATCHES = 10;
const SEND_ATTEMPTS = 8;

/** SQS: SendMessageBatch of 10, ten calls in flight, entries SQS refused sent again (bounded). */
export class SqsChunkQueue implements ChunkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly ChunkMessage[]): Promise<void> {
    const batches: ChunkMessage[][] = [];
    for (let i = 0; i < messages.length; i += SEND_BATCH) batches.push(messages.slice(i, i + SEND_BATCH));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, async () => {
        while (next < batches.length) await this.sendBatch(batches[next++]!);
      }),
    );
  }

  private async sendBatch(batch: readonly ChunkMessage[]): Promise<void> {
    const entries = batch.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
    const refused = await untilDone(entries, SEND_ATTEMPTS, { baseDelayMs: 50 }, async (pending) => {
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: [...pending] }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      return pending.filter((entry) => failed.has(entry.Id));
    });
    if (refused.length > 0) throw new Error(`SQS refused ${refused.length} campaign chunks after ${SEND_ATTEMPTS} attempts`);
  }
}
