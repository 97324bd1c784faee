import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ChunkMessage } from './campaign';

/** Where campaign chunks wait for the worker. */
export interface ChunkQueue {
  send(messages: readonly ChunkMessage[]): Promise<void>;
}

const SEND_BATCH = 10;
const PARALLEL_BATCHES = 10;

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
    let pending = batch.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 8) throw new Error(`SQS refused ${pending.length} campaign chunks after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
    }
  }
}
