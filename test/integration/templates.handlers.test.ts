import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/api/api';
import { testContainer } from '../support/container';
import { inventoryShardPrefix, templatePartition } from '../../lib/keys';
import { admin, apiEvent, invoke } from '../support/api-events';
import { createTestTable, queryPartition, type TestTable } from '../support/dynamodb';
import { loadHandler, templateInput } from '../support/fixtures';

type Handler = Awaited<ReturnType<typeof loadHandler>>;

let table: TestTable;
const handlers = {} as Record<keyof typeof routes, Handler>;

beforeAll(async () => {
  table = await createTestTable('templates');
  const container = testContainer(table);
  for (const [id, route] of Object.entries(routes)) handlers[id as keyof typeof routes] = await loadHandler(route, container);
});

async function create(overrides: Record<string, unknown> = {}) {
  const result = await invoke(handlers.createTemplate, apiEvent(routes.createTemplate, { caller: admin, body: templateInput(overrides) }));
  expect(result.statusCode).toBe(201);
  return result.body;
}

const status = (templateId: string, to: string) =>
  invoke(handlers.changeTemplateStatus, apiEvent(routes.changeTemplateStatus, { caller: admin, pathParameters: { templateId }, body: { status: to } }));

async function stockShards(templateId: string): Promise<number[]> {
  const items = await queryPartition(table, templatePartition(templateId));
  return items.filter((item) => String(item.sk).startsWith(inventoryShardPrefix)).map((item) => Number(item.available));
}

describe('template routes against DynamoDB Local', () => {
  it('creates a draft with its stock spread over the shards, and reads it back with the remaining stock', async () => {
    const created = await create({ stock: { total: 10, shards: 4 } });
    expect(created).toMatchObject({ status: 'draft', stock: { total: 10, shards: 4, remaining: 10 } });
    expect(created.id).toMatch(/^[0-9A-Z]{26}$/);
    expect((await stockShards(created.id)).sort()).toEqual([2, 2, 3, 3]);

    const read = await invoke(handlers.getTemplate, apiEvent(routes.getTemplate, { caller: admin, pathParameters: { templateId: created.id } }));
    expect(read.statusCode).toBe(200);
    expect(read.body).toEqual(created);
  });

  it('answers 404 with TEMPLATE_NOT_FOUND for an unknown id', async () => {
    const result = await invoke(handlers.getTemplate, apiEvent(routes.getTemplate, { caller: admin, pathParameters: { templateId: '01HZZZZZZZZZZZZZZZZZZZZZZZ' } }));
    expect(result.statusCode).toBe(404);
    expect(result.body.error.code).toBe('TEMPLATE_NOT_FOUND');
  });

  it('walks the status machine and refuses every other move with the allowed ones in the answer', async () => {
    const { id } = await create();
    expect((await status(id, 'paused')).body.error).toMatchObject({ code: 'INVALID_STATUS_TRANSITION', details: { currentStatus: 'draft', allowed: ['active'] } });
    for (const next of ['active', 'paused', 'active', 'paused', 'ended']) {
      const result = await status(id, next);
      expect(result.statusCode).toBe(200);
      expect(result.body.status).toBe(next);
    }
    expect((await status(id, 'ended')).statusCode).toBe(200); // asking again for the current status is a no-op
    expect((await status(id, 'active')).statusCode).toBe(409);
  });

  it('lists by status a page at a time, with an opaque cursor', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await create({ name: `listed ${i}` });
      await status(id, 'active');
      ids.push(id);
    }
    await create({ name: 'stays draft' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await invoke(
        handlers.listTemplates,
        apiEvent(routes.listTemplates, { caller: admin, query: { status: 'active', limit: '2', ...(cursor ? { cursor } : {}) } }),
      );
      expect(page.statusCode).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) expect(item.status).toBe('active');
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('updates rules of a draft, and refuses to change rules of an active template', async () => {
    const { id } = await create();
    const update = (body: unknown) => invoke(handlers.updateTemplate, apiEvent(routes.updateTemplate, { caller: admin, pathParameters: { templateId: id }, body }));

    const changed = await update({ effect: { type: 'percent_off', percentOffBps: 1000, maxDiscount: 500 }, description: 'ten percent' });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toMatchObject({ effect: { type: 'percent_off', percentOffBps: 1000, maxDiscount: 500 }, description: 'ten percent' });

    await status(id, 'active');
    const frozen = await update({ effect: { type: 'amount_off', amountOff: 100 } });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.body.error).toMatchObject({ code: 'TEMPLATE_RULES_FROZEN', details: { fields: ['effect'] } });

    const renamed = await update({ name: 'Renamed', perUserLimit: 5 });
    expect(renamed.body).toMatchObject({ name: 'Renamed', perUserLimit: 5, effect: { type: 'percent_off' } });
  });

  it('adds stock spread over every shard, and a retry with the same Idempotency-Key adds nothing more', async () => {
    const { id } = await create({ stock: { total: 8, shards: 4 } });
    const add = () =>
      invoke(
        handlers.addTemplateStock,
        apiEvent(routes.addTemplateStock, { caller: admin, pathParameters: { templateId: id }, body: { quantity: 10 }, headers: { 'idempotency-key': `stock-${id}` } }),
      );
    const first = await add();
    expect(first.statusCode).toBe(200);
    expect(first.body.stock).toEqual({ total: 18, shards: 4, remaining: 18 });
    const again = await add();
    expect(again.body.stock).toEqual({ total: 18, shards: 4, remaining: 18 });
    expect((await stockShards(id)).sort()).toEqual([4, 4, 5, 5]);

    const reused = await invoke(
      handlers.addTemplateStock,
      apiEvent(routes.addTemplateStock, { caller: admin, pathParameters: { templateId: id }, body: { quantity: 5 }, headers: { 'idempotency-key': `stock-${id}` } }),
    );
    expect(reused.statusCode).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await stockShards(id)).sort()).toEqual([4, 4, 5, 5]);
  });

  it('refuses stock for an ended template', async () => {
    const { id } = await create();
    await status(id, 'active');
    await status(id, 'ended');
    const result = await invoke(handlers.addTemplateStock, apiEvent(routes.addTemplateStock, { caller: admin, pathParameters: { templateId: id }, body: { quantity: 1 } }));
    expect(result.statusCode).toBe(409);
    expect(result.body.error.code).toBe('TEMPLATE_ENDED');
  });

  it('keeps a global product block list, de-duplicated', async () => {
    expect((await invoke(handlers.getBlocklist, apiEvent(routes.getBlocklist, { caller: admin }))).body).toEqual({ productIds: [] });
    const put = await invoke(handlers.putBlocklist, apiEvent(routes.putBlocklist, { caller: admin, body: { productIds: ['gift-card', 'tobacco', 'gift-card'] } }));
    expect(put.statusCode).toBe(200);
    const read = await invoke(handlers.getBlocklist, apiEvent(routes.getBlocklist, { caller: admin }));
    expect(read.body.productIds).toEqual(['gift-card', 'tobacco']);
  });
});
