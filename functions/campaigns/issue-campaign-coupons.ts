import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChunkMessage } from '../../lib/campaigns/campaign';
import { issueCampaignChunk } from '../../lib/campaigns/campaign-worker';
import type { Container } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/**
 * SQS FIFO worker: each message is one chunk of one lane of a campaign (its message group). Lanes run in
 * parallel; the messages of one lane run in order, and once one of them cannot be finished now, it and the
 * lane's later messages in this batch are reported as batch item failures and come back in order after the
 * visibility timeout. Unreadable messages do too, until SQS moves them to the dead-letter queue.
 */
export const build = (container: Container) => {
  const deps = container.campaignWorker();
  const finished = async (record: SQSRecord): Promise<boolean> => {
    try {
      const message = ChunkMessage.parse(JSON.parse(record.body));
      const outcome = await issueCampaignChunk(deps, message, Number(record.attributes.ApproximateReceiveCount ?? 1));
      return outcome.kind !== 'retry-later';
    } catch (error) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'campaign chunk failed', messageId: record.messageId, error: String(error) }));
      return false;
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const lanes = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      lanes.set(group, [...(lanes.get(group) ?? []), record]);
    }
    const failures = await Promise.all(
      [...lanes.values()].map(async (records): Promise<SQSBatchItemFailure[]> => {
        for (const [i, record] of records.entries()) {
          if (!(await finished(record))) return records.slice(i).map((r) => ({ itemIdentifier: r.messageId }));
        }
        return [];
      }),
    );
    return { batchItemFailures: failures.flat() };
  };
};

export const handler = onLambda(build);
