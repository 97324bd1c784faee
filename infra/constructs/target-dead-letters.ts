import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { anyAboveZeroAlarm } from './alarms';

/**
 * Where EventBridge puts an event it could not deliver to a rule's target after its retries (a
 * schedule's function throttled or missing, a campaign request the state machine refused): one queue per
 * stack, with an alarm, so a lost trigger is seen.
 */
export function targetDeadLetters(scope: Construct): Queue {
  const stack = Stack.of(scope);
  const id = 'RuleTargetDeadLetters';
  const existing = stack.node.tryFindChild(id) as Queue | undefined;
  if (existing) return existing;
  const queue = new Queue(stack, id, { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the event rules\' targets.' });
  anyAboveZeroAlarm(
    stack,
    'RuleTargetDeadLettersAlarm',
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    'EventBridge could not deliver an event to a rule target (a scheduled job or a campaign request): the message says which',
  );
  return queue;
}
