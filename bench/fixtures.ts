import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimDeps } from '../lib/claims/claim-service';
import { defaultSettings, type SettingsOverrides, withSettings } from '../lib/config';
import { type Container, claimDeps, createContainer, templateStatusDeps } from '../lib/container';
import type { Template } from '../lib/templates/template';
import { CreateTemplateInput } from '../lib/templates/template-schema';
import { changeTemplateStatus, createTemplate } from '../lib/templates/template-service';
import { createTable } from '../tools/local/create-table';
import { type DynamoDbLocal, startDynamoDbLocal } from '../tools/local/dynamodb-local';

export interface BenchTable {
  readonly dynamodb: DynamoDbLocal;
  readonly container: Container;
  /** The container's DynamoDB client (benchmarks count its round trips). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A fresh DynamoDB Local with the service's table, and the product wired to it as a warm Lambda environment is. */
export async function benchTable(tableName: string, overrides: SettingsOverrides = {}): Promise<BenchTable> {
  const dynamodb = await startDynamoDbLocal();
  const container = createContainer(withSettings(defaultSettings, { claims: { templateCacheTtlMs: 60_000 }, ...overrides, tableName, endpoints: { ...overrides.endpoints, dynamodb: dynamodb.endpoint } }));
  const client = container.clients.dynamodb();
  await createTable(client as never, tableName);
  return { dynamodb, container, client, tableName };
}

/** Creates and activates a template (amount off 5 EUR over 20 EUR unless told otherwise). */
export async function benchTemplate(table: BenchTable, overrides: Record<string, unknown>): Promise<Template> {
  const deps = templateStatusDeps(table.container);
  const input = CreateTemplateInput.parse({
    name: 'bench',
    currency: 'EUR',
    effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 },
    validity: { type: 'relative', days: 30 },
    ...overrides,
  });
  const { template: created } = await createTemplate(deps, input);
  await changeTemplateStatus(deps, created.id, 'active');
  return (await deps.templates.get(created.id))!;
}

/** Claim dependencies as a warm Lambda environment has them; audience tags are not read. */
export const benchClaimDeps = (table: BenchTable): ClaimDeps => ({ ...claimDeps(table.container), tags: { tagsOf: async () => [] } });
