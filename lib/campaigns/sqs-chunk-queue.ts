import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sendAllMessages } from '../queues/sqs-send';
import type { ChunkMessage } from './campaign';
import { type ChunkQueue, messageGroupOf } from './chunk-queue';

/** SQS FIFO: each chunk goes to its lane's message group, deduplicated by its id (and the resend token, if any). */
export class SqsChunkQueue implements ChunkQueue {
  constructor(
    /** Loaded on first use (lib/clients.ts). */
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly ChunkMessage[], options: { readonly resend?: string } = {}): Promise<void> {
    await sendAllMessages(
      this.sqs,
      this.queueUrl,
      messages.map((message) => ({
        body: JSON.stringify(message),
        groupId: messageGroupOf(message),
        deduplicationId: createHash('sha256').update(`${message.campaignId}\n${message.chunkId}\n${options.resend ?? ''}`).digest('hex'),
      })),
      'campaign chunks',
    );
  }
}
