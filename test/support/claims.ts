import { claimDeps, templateStatusDeps } from '../../lib/container';
import type { ClaimDeps } from '../../lib/claims/claim-service';
import { CreateTemplateInput } from '../../lib/templates/template-schema';
import { changeTemplateStatus, createTemplate } from '../../lib/templates/template-service';
import { testContainer } from './container';
import type { TestTable } from './dynamodb';
import { templateInput } from './fixtures';

/**
 * Claim dependencies wired to DynamoDB Local. Each call is one "Lambda environment" with its own cache;
 * tags get a generous timeout, since a loaded test machine is slower than DynamoDB.
 */
export function claimDepsFor(table: TestTable, overrides: Partial<ClaimDeps> = {}): ClaimDeps {
  return { ...claimDeps(testContainer(table, { claims: { templateCacheTtlMs: 1_000, tagTimeoutMs: 1_000 } })), ...overrides };
}

/** Creates and activates a template on the table; returns its id. */
export async function activeTemplate(table: TestTable, overrides: Record<string, unknown> = {}): Promise<string> {
  const deps = templateStatusDeps(testContainer(table));
  const { template: created } = await createTemplate(deps, CreateTemplateInput.parse(templateInput(overrides)));
  await changeTemplateStatus(deps, created.id, 'active');
  return created.id;
}
