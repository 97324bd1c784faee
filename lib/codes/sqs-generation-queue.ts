import type { SQSClient } from '@aws-sdk/client-sqs';
import { sendAllMessages } from '../queues/sqs-send';
import type { GenerationMessage } from './code-batch';
import type { GenerationQueue } from './code-service';

/** One message a part of a batch to generate, on a standard queue (a part is idempotent: duplicates and any order are fine). */
export class SqsGenerationQueue implements GenerationQueue {
  constructor(
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  async sendParts(batchId: string, parts: readonly number[]): Promise<void> {
    await sendAllMessages(this.sqs, this.queueUrl, parts.map((part) => ({ body: JSON.stringify({ batchId, part } satisfies GenerationMessage) })), 'code generation parts');
  }
}
