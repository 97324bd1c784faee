import { type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { WorkerConcurrency } from './chunk-queue';

/**
 * Sets MaximumConcurrency on the worker's SQS event source mapping. Campaigns share the worker, so the
 * most recently started campaign's setting applies to all running ones.
 */
export class EventSourceMappingConcurrency implements WorkerConcurrency {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly mappingId: string,
  ) {}

  async set(maxConcurrency: number): Promise<void> {
    await this.lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingId, ScalingConfig: { MaximumConcurrency: maxConcurrency } }));
  }
}
