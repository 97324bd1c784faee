import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { RouteDefinition } from '../../lib/api/route';
import type { ApiEvent, ApiResult } from '../../lib/http/api-handler';
import { repoRoot } from '../../tools/local/dynamodb-local';

/** A template that passes validation; tests override what they are about. */
export function templateInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '5 off 20',
    currency: 'EUR',
    effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 },
    validity: { type: 'relative', days: 30 },
    stock: { total: 100, shards: 4 },
    perUserLimit: 1,
    ...overrides,
  };
}

/** Imports the handler module a route deploys. Call after createTestTable(), which sets the environment. */
export async function loadHandler(route: RouteDefinition): Promise<(event: ApiEvent, context: Context) => Promise<ApiResult>> {
  const module = (await import(pathToFileURL(path.join(repoRoot, route.entry)).href)) as { handler: (event: ApiEvent, context: Context) => Promise<ApiResult> };
  return module.handler;
}
