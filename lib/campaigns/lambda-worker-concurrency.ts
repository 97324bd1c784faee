import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { WorkerConcurrency } from './chunk-queue';

/**
 * Sets MaximumConcurrency on the worker's SQS event source mapping. Campaigns share the worker, so the
 * most recently started campaign's setting applies to all running ones.
 */
export class EventSourceMappingConcurrency implements WorkerConcurrency {
  constructor(
    /** Loaded on first use (lib/clients.ts). */
    private readonly lambda: () => Promise<LambdaClient>,
    private readonly mappingId: string,
  ) {}

  async set(maxConcurrency: number): Promise<void> {
    const [lambda, { UpdateEventSourceMappingCommand }] = await Promise.all([this.lambda(), import('@aws-sdk/client-lambda')]);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingId, ScalingConfig: { MaximumConcurrency: maxConcurrency } }));
  }
}
