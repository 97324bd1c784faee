import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ChunkMessage } from '../../lib/campaigns/campaign';
import { issueCampaignChunk } from '../../lib/campaigns/campaign-worker';
import type { Container } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/**
 * SQS worker: each message is one chunk of a campaign. Messages that cannot be finished now are
 * reported as batch item failures and come back after the visibility timeout; unreadable ones do too,
 * until SQS moves them to the dead-letter queue.
 */
export const build = (container: Container) => {
  const deps = container.campaignWorker();
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        try {
          const message = ChunkMessage.parse(JSON.parse(record.body));
          const outcome = await issueCampaignChunk(deps, message, Number(record.attributes.ApproximateReceiveCount ?? 1));
          return outcome.kind === 'done' ? [] : [{ itemIdentifier: record.messageId }];
        } catch (error) {
          console.error(JSON.stringify({ level: 'ERROR', message: 'campaign chunk failed', messageId: record.messageId, error: String(error) }));
          return [{ itemIdentifier: record.messageId }];
        }
      }),
    );
    return { batchItemFailures: failures.flat() };
  };
};

export const handler = onLambda(build);
