import type { Context } from 'aws-lambda';
import type { RouteDefinition } from '../../lib/http/route';
import type { Container } from '../../lib/container';
import type { ApiEvent, ApiResult } from '../../lib/http/api-handler';
import { buildEntry } from '../../tools/local/functions';

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

/** The handler a route deploys, built with this container. */
export const loadHandler = (route: RouteDefinition, container: Container) => buildEntry<(event: ApiEvent, context: Context) => Promise<ApiResult>>(route.entry, container);
