import { afterAll } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../tools/local/dynamodb-local';

/**
 * Each test file that touches DynamoDB gets a DynamoDB Local of its own, started on first use and
 * stopped after the file. Shared across files, DynamoDB Local was measured to serve tables created after
 * another table's heavy load more than ten times slower, which turned timing into test failures.
 */
let local: Promise<DynamoDbLocal> | undefined;

export function dynamodbEndpoint(): Promise<string> {
  local ??= startDynamoDbLocal();
  return local.then((engine) => engine.endpoint);
}

afterAll(async () => {
  await (await local)?.stop();
});
