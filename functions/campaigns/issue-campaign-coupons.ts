import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseChunkMessage } from '../../lib/campaigns/campaign';
import { issueCampaignChunk } from '../../lib/campaigns/campaign-worker';
import { type Container, campaignWorkerDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { logger } from '../../lib/observability';
import { BusinessMetric } from '../../lib/telemetry';

/**
 * SQS FIFO worker: each message is one chunk of one lane of a campaign (its message group). Lanes run in
 * parallel; the messages of one lane run in order, and once one of them cannot be finished now, it and the
 * lane's later messages in this batch are reported as batch item failures and come back in order after the
 * visibility timeout. Unreadable messages do too, until SQS moves them to the dead-letter queue.
 */
const IN_PROCESS_ATTEMPTS = 3;

export const build = (container: Container) => {
  const deps = campaignWorkerDeps(container);
  const { telemetry } = container;
  // A message that fails blocks its lane until its visibility timeout ends: a failure that may be
  // passing (a timeout, a dropped connection) is tried again at once, a few times, before that.
  const finished = async (record: SQSRecord): Promise<boolean> => {
    const message = parseChunkMessage(record.body);
    if (!message) {
      logger.error('not a campaign chunk', { messageId: record.messageId });
      return false;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await issueCampaignChunk(deps, message, Number(record.attributes.ApproximateReceiveCount ?? 1));
        if (outcome.kind === 'done' && outcome.issued) telemetry.count(BusinessMetric.campaignCouponsIssued, outcome.issued);
        else if (outcome.kind === 'retry-later') logger.info('campaign chunk left for a redelivery', { messageId: record.messageId, chunkId: message.chunkId, reason: outcome.reason });
        return outcome.kind !== 'retry-later';
      } catch (error) {
        logger.error('campaign chunk failed', { messageId: record.messageId, chunkId: message.chunkId, attempt, error: error as Error });
        if (attempt >= IN_PROCESS_ATTEMPTS) return false;
      }
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
