import { type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';

/** How many worker batches may run at once: the campaign's `rate.maxConcurrency`. */
export interface WorkerConcurrency {
  set(maxConcurrency: number): Promise<void>;
}

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

/** Where no mapping is configured (the local stack drives the worker itself and applies the rate there). */
export const fixedConcurrency: WorkerConcurrency = { set: async () => undefined };
