import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface QueueDriver {
  /** Starts polling with this handler (the worker, built with the container that knows this driver). */
  start(handler: QueueHandler): void;
  /** Batches in flight at once, as the event source mapping's MaximumConcurrency (also the campaign's WorkerConcurrency port). */
  set(concurrency: number): Promise<void>;
  /** Messages handed to the handler so far, and batches it reported failures for. */
  readonly stats: { received: number; failedRecords: number; batches: number };
  stop(): Promise<void>;
}

/**
 * Drives an SQS handler from a queue the way Lambda's SQS event source mapping does: long-polls batches
 * of up to 10, calls the handler, deletes what succeeded and leaves reported failures (and everything,
 * if the handler throws) to come back after the visibility timeout; the queue's redrive policy moves a
 * message to its dead-letter queue after maxReceiveCount receives.
 */
export function createQueueDriver(options: { sqs: SQSClient; queueUrl: string; queueArn?: string; concurrency: number; batchSize: number }): QueueDriver {
  let running = false;
  let handler: QueueHandler | undefined;
  let target = options.concurrency;
  const workers = new Set<Promise<void>>();
  const stats = { received: 0, failedRecords: 0, batches: 0 };

  const toRecord = (message: { MessageId?: string; ReceiptHandle?: string; Body?: string; Attributes?: Record<string, string>; MD5OfBody?: string }): SQSRecord => ({
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(message.Attributes?.MessageGroupId ? { MessageGroupId: message.Attributes.MessageGroupId } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? 'arn:aws:sqs:local:000000000000:queue',
    awsRegion: 'us-east-1',
  });

  async function pollOnce(): Promise<void> {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: options.batchSize, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return;
    stats.received += Messages.length;
    stats.batches++;
    const records = Messages.map(toRecord);
    let failed: Set<string>;
    try {
      const response = await handler!({ Records: records });
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(records.map((r) => r.messageId));
    }
    stats.failedRecords += failed.size;
    const succeeded = records.filter((r) => !failed.has(r.messageId));
    if (succeeded.length > 0) {
      await options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
    }
    // Lambda leaves failed messages invisible until the visibility timeout ends; so do we (nothing to do).
  }

  function spawnWorker(): void {
    const worker = (async () => {
      while (running && workers.size <= target) {
        try {
          await pollOnce();
        } catch (error) {
          if (running) console.error('queue driver:', error);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })();
    workers.add(worker);
    void worker.finally(() => {
      workers.delete(worker);
    });
  }

  const topUp = () => {
    while (running && workers.size < target) spawnWorker();
  };

  return {
    start(worker: QueueHandler) {
      handler = worker;
      running = true;
      topUp();
    },
    async set(concurrency: number) {
      target = concurrency;
      topUp();
    },
    stats,
    async stop() {
      running = false;
      await Promise.all([...workers]);
    },
  };
}
