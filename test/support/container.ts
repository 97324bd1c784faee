import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../lib/clients';
import { defaultSettings, type Settings, type SettingsOverrides, withSettings } from '../../lib/config';
import { type Container, type ContainerOptions, createContainer } from '../../lib/container';
import { LOCAL_CODE_SECRET } from '../../tools/local/local-code-secret';
import type { TestTable } from './dynamodb';

/** Where a test that did not start a local bus, queue or bucket sends its calls: nothing listens there, so they fail at once and never reach AWS. */
const NOWHERE = 'http://127.0.0.1:9';

/** The product's settings pointed at a test table; tests override what they are about. */
export const testSettings = (table: TestTable, overrides: SettingsOverrides = {}): Settings =>
  withSettings(defaultSettings, {
    ...overrides,
    tableName: table.tableName,
    codes: { developmentSecret: LOCAL_CODE_SECRET, ...overrides.codes },
    // Upload links are signed here, without a call: a bucket name is all they need.
    campaigns: { audienceBucket: 'test-audiences', ...overrides.campaigns },
    endpoints: { eventBridge: NOWHERE, sqs: NOWHERE, s3: NOWHERE, dynamodb: table.endpoint, ...overrides.endpoints },
  });

/**
 * The product wired to a test table, as lib/lambda.ts wires it on AWS. Each call is a new "Lambda
 * environment" (its own caches); `dynamodb` swaps in a client that injects faults.
 */
export function testContainer(table: TestTable, overrides: SettingsOverrides = {}, options: ContainerOptions & { dynamodb?: DynamoDBDocumentClient } = {}): Container {
  const settings = testSettings(table, overrides);
  const clients = createClients(settings);
  return createContainer(settings, { ...options, clients: options.dynamodb ? { ...clients, dynamodb: () => options.dynamodb! } : clients });
}
