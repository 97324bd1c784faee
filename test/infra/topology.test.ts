import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { Entity } from '../../lib/entities';
import { codeQueue, importQueue, streamConsumers, streamFilterPattern } from '../../lib/topology';
import { type LocalQueues, startLocalQueues } from '../../tools/local/local-campaigns';
import { passesFilter } from '../../tools/local/stream-poller';

/**
 * The local stack must behave as the deployed topology does: this holds the template the CDK app
 * synthesizes against what the local stack actually sets up.
 */
type Resource = { Type: string; Properties: Record<string, any> };

let service: Template;
let queues: LocalQueues;
beforeAll(async () => {
  service = Template.fromStack(buildApp({ context: { 'aws:cdk:bundling-stacks': [] } }).service);
  queues = await startLocalQueues();
});
afterAll(() => queues?.stop());

const resources = (type: string) => Object.values(service.findResources(type) as Record<string, Resource>).map((r) => r.Properties);

describe('the local stack and the synthesized template agree', () => {
  it('on the campaign chunk queue: FIFO, visibility timeout and redrive count', async () => {
    const deployed = resources('AWS::SQS::Queue').filter((queue) => queue.RedrivePolicy && queue.FifoQueue);
    expect(deployed).toHaveLength(1);
    const { Attributes } = await queues.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy', 'FifoQueue'] }));
    expect(Number(Attributes?.VisibilityTimeout)).toBe(deployed[0]!.VisibilityTimeout);
    expect(deployed[0]!.FifoQueue).toBe(true);
    expect(Attributes?.FifoQueue).toBe('true');
    expect(JSON.parse(Attributes!.RedrivePolicy!).maxReceiveCount).toBe(deployed[0]!.RedrivePolicy.maxReceiveCount);
  });

  it('on the code generation and import queues: standard, visibility timeout and redrive count', async () => {
    const deployed = resources('AWS::SQS::Queue').filter((queue) => queue.RedrivePolicy && !queue.FifoQueue);
    expect(deployed).toHaveLength(2);
    for (const [url, settings] of [[queues.codeQueueUrl, codeQueue], [queues.importQueueUrl, importQueue]] as const) {
      const { Attributes } = await queues.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy', 'FifoQueue'] }));
      expect(Number(Attributes?.VisibilityTimeout)).toBe(settings.visibilityTimeoutSeconds);
      expect(Attributes?.FifoQueue).toBeUndefined();
      expect(JSON.parse(Attributes!.RedrivePolicy!).maxReceiveCount).toBe(settings.maxReceiveCount);
      expect(deployed.some((queue) => queue.VisibilityTimeout === settings.visibilityTimeoutSeconds && queue.RedrivePolicy.maxReceiveCount === settings.maxReceiveCount)).toBe(true);
    }
  });

  it('on the SQS event sources: batch size (campaign chunks 10, code parts 1, import steps 1), batch item failures reported', () => {
    const workers = resources('AWS::Lambda::EventSourceMapping').filter((mapping) => !mapping.StartingPosition);
    expect(workers.map((worker) => worker.BatchSize).sort()).toEqual([1, 1, 10]);
    for (const worker of workers) expect(worker.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('on each stream consumer: the entity filter, batch size and batching window the local poller applies', () => {
    const deployed = resources('AWS::Lambda::EventSourceMapping').filter((mapping) => mapping.StartingPosition);
    expect(deployed).toHaveLength(Object.keys(streamConsumers).length);
    for (const consumer of Object.values(streamConsumers)) {
      const pattern = JSON.stringify(streamFilterPattern(consumer));
      const mapping = deployed.find((m) => m.BatchSize === consumer.batchSize);
      expect(mapping, consumer.entry).toBeDefined();
      expect(mapping!.FilterCriteria.Filters.map((f: { Pattern: string }) => f.Pattern)).toEqual([pattern]);
      expect(mapping!.MaximumBatchingWindowInSeconds).toBe(consumer.maxBatchingWindowSeconds);

      // What the pattern lets through is what the local poller lets through.
      const record = (image: Record<string, unknown>) => ({ dynamodb: { NewImage: marshall(image) as never } });
      expect(passesFilter(consumer, record({ pk: 'USER#u', sk: 'CPN#c', entity: Entity.coupon }))).toBe(true);
      expect(passesFilter(consumer, record({ pk: 'TPL#t', sk: 'STOCK#000', entity: Entity.stockShard }))).toBe(false);
      expect(passesFilter(consumer, {})).toBe(false);
    }
  });
});
