import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseGenerationMessage } from '../../lib/codes/code-batch';
import { generateCodePart } from '../../lib/codes/code-service';
import { type Container, codeDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { logger } from '../../lib/observability';

/**
 * SQS worker: each message is one part of a code batch. A part is idempotent (its marker is written with
 * its count), so a failed one is simply reported and comes back after the visibility timeout; after
 * maxReceiveCount receives SQS moves it to the dead-letter queue, which is alarmed.
 */
export const build = (container: Container) => {
  const deps = codeDeps(container);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    for (const record of event.Records) {
      const message = parseGenerationMessage(record.body);
      if (!message) {
        logger.error('not a code generation part', { messageId: record.messageId });
        failures.push(record.messageId);
        continue;
      }
      try {
        const { written } = await generateCodePart(deps, message);
        logger.info('code part generated', { ...message, written });
      } catch (error) {
        logger.error('code part failed', { ...message, error: error as Error });
        failures.push(record.messageId);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
};

export const handler = onLambda(build);
