import type { SQSClient } from '@aws-sdk/client-sqs';
import { sendAllMessages } from '../queues/sqs-send';
import type { ImportMessage } from './import';
import type { ImportQueue } from './import-service';

/** The import queue on SQS (standard: every step is idempotent, so duplicates and any order are fine). */
export class SqsImportQueue implements ImportQueue {
  constructor(
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly ImportMessage[], options: { readonly delaySeconds?: number } = {}): Promise<void> {
    await sendAllMessages(this.sqs, this.queueUrl, messages.map((message) => ({ body: JSON.stringify(message), ...(options.delaySeconds ? { delaySeconds: options.delaySeconds } : {}) })), 'import steps');
  }
}
