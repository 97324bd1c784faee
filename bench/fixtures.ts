import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ClaimRepository } from '../lib/claims/claim-repository';
import type { ClaimDeps } from '../lib/claims/claim-service';
import { TemplateCache } from '../lib/claims/template-cache';
import { createDocumentClient } from '../lib/clients';
import { CouponRepository } from '../lib/coupons/coupon-repository';
import { newId } from '../lib/ids';
import type { Template } from '../lib/templates/template';
import { TemplateRepository } from '../lib/templates/template-repository';
import { CreateTemplateInput } from '../lib/templates/template-schema';
import { changeTemplateStatus, createTemplate } from '../lib/templates/template-service';
import { systemClock } from '../lib/time';
import { createTable } from '../tools/local/create-table';
import { type DynamoDbLocal, startDynamoDbLocal } from '../tools/local/dynamodb-local';

export interface BenchTable {
  readonly dynamodb: DynamoDbLocal;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly templates: TemplateRepository;
}

/** A fresh DynamoDB Local with the service's table. */
export async function benchTable(tableName: string): Promise<BenchTable> {
  const dynamodb = await startDynamoDbLocal();
  const client = createDocumentClient({ endpoint: dynamodb.endpoint, region: 'us-east-1' });
  await createTable(client as never, tableName);
  return { dynamodb, client, tableName, templates: new TemplateRepository(client, tableName) };
}

/** Creates and activates a template (amount off 5 EUR over 20 EUR unless told otherwise). */
export async function benchTemplate(table: BenchTable, overrides: Record<string, unknown>): Promise<Template> {
  const deps = { templates: table.templates, clock: systemClock, newId };
  const input = CreateTemplateInput.parse({
    name: 'bench',
    currency: 'EUR',
    effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 },
    validity: { type: 'relative', days: 30 },
    ...overrides,
  });
  const created = await createTemplate(deps, input);
  await changeTemplateStatus(deps, created.id, 'active');
  return (await table.templates.get(created.id))!;
}

/** Claim dependencies as a warm Lambda environment has them; audience tags are not read. */
export function benchClaimDeps(table: BenchTable): ClaimDeps {
  return {
    templates: new TemplateCache((id) => table.templates.get(id, { consistent: false }), 60_000, systemClock),
    stock: table.templates,
    claims: new ClaimRepository(table.client, table.tableName),
    coupons: new CouponRepository(table.client, table.tableName),
    tags: { tagsOf: async () => [] },
    clock: systemClock,
    newId,
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxAttempts: 8,
  };
}
