import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A standard work queue (SSE, TLS only) and its dead-letter queue, with the settings lib/topology.ts
 * names for it (the local stack makes the same): code generation parts, import steps.
 */
export function workQueueWithDeadLetters(
  scope: Construct,
  names: { readonly queue: string; readonly deadLetters: string; readonly what: string },
  settings: { readonly visibilityTimeoutSeconds: number; readonly retentionDays: number; readonly deadLetterRetentionDays: number; readonly maxReceiveCount: number },
): { queue: Queue; deadLetters: Queue } {
  const deadLetters = new Queue(scope, names.deadLetters, { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(settings.deadLetterRetentionDays) });
  Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: `This queue is itself the dead-letter queue of ${names.what}.` });
  const queue = new Queue(scope, names.queue, {
    enforceSSL: true,
    encryption: QueueEncryption.SQS_MANAGED,
    visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
    retentionPeriod: Duration.days(settings.retentionDays),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: settings.maxReceiveCount },
  });
  return { queue, deadLetters };
}
