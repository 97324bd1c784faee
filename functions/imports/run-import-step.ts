import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Container, importDeps } from '../../lib/container';
import { parseImportQueueMessage } from '../../lib/imports/import';
import { handleImportMessage, startImport } from '../../lib/imports/import-service';
import { onLambda } from '../../lib/lambda';
import { logger } from '../../lib/observability';

/**
 * SQS worker of imports: each message is a step (plan, a part, a verify segment, a dual write's settle) or an ImportRequested
 * event the bus put on the queue. Every step is idempotent, so a failed one is reported and comes back
 * after the visibility timeout; after maxReceiveCount receives it goes to the (alarmed) dead-letter queue.
 */
export const build = (container: Container) => {
  const deps = importDeps(container);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    for (const record of event.Records) {
      const message = parseImportQueueMessage(record.body);
      if (!message) {
        logger.error('not an import step or request', { messageId: record.messageId });
        failures.push(record.messageId);
        continue;
      }
      try {
        if (message.kind === 'request') await startImport(deps, message.request);
        else await handleImportMessage(deps, message);
        logger.info('import step done', { kind: message.kind, ...stepIdentity(message) });
      } catch (error) {
        logger.error('import step failed', { messageId: record.messageId, error: error as Error });
        failures.push(record.messageId);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
};

const stepIdentity = (message: NonNullable<ReturnType<typeof parseImportQueueMessage>>) =>
  message.kind === 'request' ? { importId: message.request.importId } : message.kind === 'settle' ? { externalId: message.externalId } : { importId: message.importId };

export const handler = onLambda(build);
