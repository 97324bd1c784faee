import { campaignDeps, campaignWorkerDeps } from '../../lib/container';
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { Campaign, ChunkMessage } from '../../lib/campaigns/campaign';
import { prepareCampaign } from '../../lib/campaigns/campaign-steps';
import type { WorkerDeps } from '../../lib/campaigns/campaign-worker';
import { chunksOf } from '../../lib/campaigns/chunks';
import { testContainer } from './container';
import type { TestTable } from './dynamodb';

/** A campaign started as the state machine's first step starts it (record, reservation), without the machine: tests deliver its chunks themselves. */
export async function runningCampaign(table: TestTable, request: { campaignId: string; templateId: string; userIds: readonly string[]; batchSize?: number }): Promise<Campaign> {
  const deps = campaignDeps(testContainer(table));
  const started = await prepareCampaign(deps, { campaignId: request.campaignId, templateId: request.templateId, audience: { type: 'inline', userIds: request.userIds }, rate: { batchSize: request.batchSize ?? 100, maxConcurrency: 2 } });
  expect(started.status).toBe('running');
  return (await deps.campaigns.get(request.campaignId))!;
}

/** The chunks the enqueue step would send for these users (one page). */
export const chunksFor = (campaign: Campaign, userIds: readonly string[], page = '0'): ChunkMessage[] => chunksOf(campaign, userIds, { page });

/** The campaign worker on the test table, with short backoff; `client` injects faults, `writeAttempts` bounds its BatchWriteItem retries. */
export function workerDepsFor(table: TestTable, options: { client?: DynamoDBDocumentClient; writeAttempts?: number } = {}): WorkerDeps {
  return campaignWorkerDeps(testContainer(table, { campaigns: { writeAttempts: options.writeAttempts ?? 4, writeBaseDelayMs: 1 } }, { dynamodb: options.client }));
}

export interface Faults {
  /** Fraction of each BatchWriteItem's requests to hand back unprocessed (not written). */
  unprocessedShare?: number;
  /** Fraction of the calls that write coupons (BatchWriteItem, and transactions with a coupon) that fail whole with ProvisionedThroughputExceededException. */
  throttledCalls?: number;
  /** Throw (a crash) after this many BatchWriteItem calls have gone through. */
  crashAfterWrites?: number;
  /** Crash right after this many writes of any kind (batch, transaction, single item) reached the table: the write happened, the caller died. */
  crashAfterAnyWrites?: number;
}

const writesCoupons = (command: unknown) =>
  command instanceof BatchWriteCommand || (command instanceof TransactWriteCommand && (command.input.TransactItems ?? []).some((item) => item.Put?.Item?.entity === 'coupon'));
const isWrite = (command: unknown) => command instanceof BatchWriteCommand || command instanceof TransactWriteCommand || command instanceof PutCommand || command instanceof UpdateCommand;
const throughputExceeded = () => Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });

/**
 * A document client that injects DynamoDB's failure modes into writes and passes everything else to the
 * real engine. Deterministic: the random source is seeded. `faults` may be changed between calls.
 */
export function faultyClient(real: DynamoDBDocumentClient, faults: Faults, seed = 7): DynamoDBDocumentClient & { writes: number; anyWrites: number } {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const wrapper = {
    writes: 0,
    anyWrites: 0,
    async send(command: unknown) {
      if (writesCoupons(command) && faults.throttledCalls && random() < faults.throttledCalls) throw throughputExceeded();
      if (command instanceof BatchWriteCommand) {
        // Counted when the call starts: the worker sends its BatchWriteItems in parallel.
        if (faults.crashAfterWrites !== undefined && wrapper.writes++ >= faults.crashAfterWrites) throw new Error('injected crash');
        const [tableName, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
        const keep = requests.filter(() => !(faults.unprocessedShare && random() < faults.unprocessedShare));
        const dropped = requests.filter((r) => !keep.includes(r));
        if (keep.length > 0) await real.send(new BatchWriteCommand({ RequestItems: { [tableName]: keep } }));
        crashIfDue(command);
        return { UnprocessedItems: dropped.length > 0 ? { [tableName]: dropped } : {} };
      }
      const result = await real.send(command as never);
      crashIfDue(command);
      return result;
    },
  };
  const crashIfDue = (command: unknown) => {
    if (isWrite(command) && faults.crashAfterAnyWrites !== undefined && ++wrapper.anyWrites > faults.crashAfterAnyWrites) throw new Error('injected crash after the write');
  };
  return wrapper as unknown as DynamoDBDocumentClient & { writes: number; anyWrites: number };
}
