import type { SQSClient } from '@aws-sdk/client-sqs';
import { untilDone } from '../retry';

const SEND_BATCH = 10;
const PARALLEL_BATCHES = 10;
const SEND_ATTEMPTS = 8;

export interface OutgoingMessage {
  readonly body: string;
  /** FIFO queues: the message group and the deduplication id. */
  readonly groupId?: string;
  readonly deduplicationId?: string;
  /** Standard queues: seconds before the message can be received (up to 900). */
  readonly delaySeconds?: number;
}

/**
 * Sends messages with SendMessageBatch of 10, ten calls in flight; entries SQS refused are sent again
 * (bounded), and what is still refused after that is an error, never a silent drop.
 */
export async function sendAllMessages(sqs: () => Promise<SQSClient>, queueUrl: string, messages: readonly OutgoingMessage[], what: string): Promise<void> {
  const batches: OutgoingMessage[][] = [];
  for (let i = 0; i < messages.length; i += SEND_BATCH) batches.push(messages.slice(i, i + SEND_BATCH));
  const [client, { SendMessageBatchCommand }] = await Promise.all([sqs(), import('@aws-sdk/client-sqs')]);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, async () => {
      while (next < batches.length) {
        const entries = batches[next++]!.map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
          ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
          ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
        }));
        const refused = await untilDone(entries, SEND_ATTEMPTS, { baseDelayMs: 50 }, async (pending) => {
          const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...pending] }));
          const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
          return pending.filter((entry) => failed.has(entry.Id));
        });
        if (refused.length > 0) throw new Error(`SQS refused ${refused.length} ${what} after ${SEND_ATTEMPTS} attempts`);
      }
    }),
  );
}
