import { CircuitBreaker } from '../../lib/audience/circuit-breaker';
import { DynamoDbTagSource, ResilientTagReader } from '../../lib/audience/tag-source';
import { ClaimRepository } from '../../lib/claims/claim-repository';
import type { ClaimDeps } from '../../lib/claims/claim-service';
import { TemplateCache } from '../../lib/claims/template-cache';
import { CouponRepository } from '../../lib/coupons/coupon-repository';
import { newId } from '../../lib/ids';
import { TemplateRepository } from '../../lib/templates/template-repository';
import { CreateTemplateInput } from '../../lib/templates/template-schema';
import { changeTemplateStatus, createTemplate } from '../../lib/templates/template-service';
import { systemClock } from '../../lib/time';
import type { TestTable } from './dynamodb';
import { templateInput } from './fixtures';

/** Claim dependencies wired to DynamoDB Local, as lib/composition.ts wires them on Lambda. Each call is one "Lambda environment" with its own cache. */
export function claimDepsFor(table: TestTable, overrides: Partial<ClaimDeps> = {}): ClaimDeps {
  const templates = new TemplateRepository(table.client, table.tableName);
  return {
    templates: new TemplateCache((id) => templates.get(id, { consistent: true }), 1_000, systemClock),
    stock: templates,
    claims: new ClaimRepository(table.client, table.tableName),
    coupons: new CouponRepository(table.client, table.tableName),
    tags: new ResilientTagReader(new DynamoDbTagSource(table.client, table.tableName), new CircuitBreaker({ timeoutMs: 1_000, failureThreshold: 5, openMs: 10_000 }, systemClock)),
    clock: systemClock,
    newId,
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxAttempts: 8,
    ...overrides,
  };
}

/** Creates and activates a template on the table; returns its id. */
export async function activeTemplate(table: TestTable, overrides: Record<string, unknown> = {}): Promise<string> {
  const deps = { templates: new TemplateRepository(table.client, table.tableName), clock: systemClock, newId };
  const created = await createTemplate(deps, CreateTemplateInput.parse(templateInput(overrides)));
  await changeTemplateStatus(deps, created.id, 'active');
  return created.id;
}
