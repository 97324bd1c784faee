import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClaimRepository } from '../../lib/claims/claim-repository';
import { ClaimRefusedError, claimCoupons } from '../../lib/claims/claim-service';
import { IdempotencyKeyReusedError, NotFoundError } from '../../lib/errors';
import { inventoryShardKey, templatePartition, userPartition, userProfileKey } from '../../lib/keys';
import { BusinessMetric, RecordingTelemetry } from '../../lib/telemetry';
import { TemplateRepository } from '../../lib/templates/template-repository';
import { activeTemplate, claimDepsFor } from '../support/claims';
import { createTestTable, queryPartition, type TestTable } from '../support/dynamodb';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('claims');
});

const stockLeft = async (templateId: string) =>
  (await new TemplateRepository(table.client, table.tableName).stockShards(templateId)).reduce((sum, s) => sum + s.available, 0);
const couponsOf = async (userId: string) => (await queryPartition(table, userPartition(userId))).filter((item) => String(item.sk).startsWith('CPN#'));
const refusalOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClaimRefusedError);
  return (error as ClaimRefusedError).refusals.map((r) => r.reason);
};

describe('claimCoupons against DynamoDB Local', () => {
  it('issues a coupon with the template\'s rules copied in, takes one unit of stock and counts the claim', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 10, shards: 2 }, validity: { type: 'relative', days: 7 } });
    const result = await claimCoupons(claimDepsFor(table), { userId: 'alice', templateIds: [templateId], idempotencyKey: 'k1' });
    expect(result.replayed).toBe(false);
    expect(result.coupons).toHaveLength(1);
    const [coupon] = result.coupons;
    expect(coupon).toMatchObject({ templateId, status: 'available', currency: 'EUR', effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 }, source: 'claim' });
    expect(Date.parse(coupon!.validUntil) - Date.parse(coupon!.validFrom)).toBe(7 * 86_400_000);
    expect(await stockLeft(templateId)).toBe(9);
    const items = await queryPartition(table, userPartition('alice'));
    expect(items.find((i) => i.sk === `CLAIMS#${templateId}`)?.claimed).toBe(1);
    expect(items.find((i) => i.sk === `CPN#${coupon!.id}`)).toBeDefined();
  });

  it('reports the coupons it issued to telemetry, and nothing for a replay', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 10, shards: 2 } });
    const telemetry = new RecordingTelemetry();
    const deps = claimDepsFor(table, { telemetry });
    await claimCoupons(deps, { userId: 'metered', templateIds: [templateId], idempotencyKey: 'm1' });
    await claimCoupons(deps, { userId: 'metered', templateIds: [templateId], idempotencyKey: 'm1' });
    expect(telemetry.total(BusinessMetric.couponsClaimed)).toBe(1);
  });

  it('replays the same key with the same body without touching anything, and refuses it with another body', async () => {
    const a = await activeTemplate(table, { perUserLimit: 3 });
    const b = await activeTemplate(table);
    const deps = claimDepsFor(table);
    const first = await claimCoupons(deps, { userId: 'bob', templateIds: [a, a], idempotencyKey: 'same' });
    const again = await claimCoupons(claimDepsFor(table), { userId: 'bob', templateIds: [a, a], idempotencyKey: 'same' });
    expect(again.replayed).toBe(true);
    expect(again.coupons).toEqual(first.coupons);
    expect(await stockLeft(a)).toBe(98);
    await expect(claimCoupons(deps, { userId: 'bob', templateIds: [b], idempotencyKey: 'same' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // The key is the user's own: another user may use the same string.
    expect((await claimCoupons(deps, { userId: 'carol', templateIds: [a], idempotencyKey: 'same' })).replayed).toBe(false);
  });

  it('replays a success even after the template sold out or the user reached the limit', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 1, shards: 1 } });
    const deps = claimDepsFor(table);
    const first = await claimCoupons(deps, { userId: 'dave', templateIds: [templateId], idempotencyKey: 'once' });
    expect(await refusalOf(claimCoupons(deps, { userId: 'erin', templateIds: [templateId], idempotencyKey: 'x' }))).toEqual(['SOLD_OUT']);
    expect((await claimCoupons(deps, { userId: 'dave', templateIds: [templateId], idempotencyKey: 'once' })).coupons).toEqual(first.coupons);
  });

  it('enforces the per-user limit across requests', async () => {
    const templateId = await activeTemplate(table, { perUserLimit: 2 });
    const deps = claimDepsFor(table);
    await claimCoupons(deps, { userId: 'frank', templateIds: [templateId], idempotencyKey: '1' });
    await claimCoupons(deps, { userId: 'frank', templateIds: [templateId], idempotencyKey: '2' });
    expect(await refusalOf(claimCoupons(deps, { userId: 'frank', templateIds: [templateId], idempotencyKey: '3' }))).toEqual(['LIMIT_REACHED']);
    expect(await couponsOf('frank')).toHaveLength(2);
  });

  it('is all or nothing across templates: one sold out means nothing is claimed', async () => {
    const plenty = await activeTemplate(table);
    const empty = await activeTemplate(table, { stock: { total: 0, shards: 1 } });
    expect(await refusalOf(claimCoupons(claimDepsFor(table), { userId: 'gina', templateIds: [plenty, empty], idempotencyKey: 'k' }))).toEqual(['SOLD_OUT']);
    expect(await couponsOf('gina')).toHaveLength(0);
    expect(await stockLeft(plenty)).toBe(100);
  });

  it('never fails because the shard it picked is empty while another still has stock', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 8, shards: 8 } });
    // Empty every shard but the last; the claim is steered to the first shard.
    for (let shard = 0; shard < 7; shard++) {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: inventoryShardKey(templateId, shard), UpdateExpression: 'SET available = :zero', ExpressionAttributeValues: { ':zero': 0 } }));
    }
    const result = await claimCoupons(claimDepsFor(table, { random: () => 0 }), { userId: 'hank', templateIds: [templateId], idempotencyKey: 'k' });
    expect(result.coupons).toHaveLength(1);
    expect(await stockLeft(templateId)).toBe(0);
  });

  it('takes from several shards when no single shard holds the quantity', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 3, shards: 3 }, perUserLimit: 3 });
    const result = await claimCoupons(claimDepsFor(table), { userId: 'ivy', templateIds: [templateId, templateId, templateId], idempotencyKey: 'k' });
    expect(result.coupons).toHaveLength(3);
    expect(await stockLeft(templateId)).toBe(0);
  });

  it('once a template is seen sold out, refuses it from the hint without writing', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 0, shards: 2 } });
    const repository = new ClaimRepository(table.client, table.tableName);
    let commits = 0;
    const counting = Object.assign(Object.create(repository) as ClaimRepository, {
      commit: (...args: Parameters<ClaimRepository['commit']>) => (commits++, repository.commit(...args)),
    });
    const deps = claimDepsFor(table, { claims: counting });
    for (let i = 0; i < 5; i++) expect(await refusalOf(claimCoupons(deps, { userId: `u${i}`, templateIds: [templateId], idempotencyKey: 'k' }))).toEqual(['SOLD_OUT']);
    expect(commits).toBe(1); // the first claim tried a shard and found the stock gone; the others never wrote
  });

  it('answers 404 for an unknown template and refuses templates that are not claimable now', async () => {
    await expect(claimCoupons(claimDepsFor(table), { userId: 'jo', templateIds: ['01HZZZZZZZZZZZZZZZZZZZZZZZ'], idempotencyKey: 'k' })).rejects.toBeInstanceOf(NotFoundError);
    const future = await activeTemplate(table, { claimWindow: { from: '2099-01-01T00:00:00Z' } });
    expect(await refusalOf(claimCoupons(claimDepsFor(table), { userId: 'jo', templateIds: [future], idempotencyKey: 'k2' }))).toEqual(['CLAIM_NOT_STARTED']);
  });

  it('checks the audience against the user\'s tags; when tags cannot be read only targeted templates are refused', async () => {
    const vip = await activeTemplate(table, { audience: { allOfTags: ['vip'] } });
    const open = await activeTemplate(table);
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...userProfileKey('kim'), tags: ['vip'] } }));
    expect((await claimCoupons(claimDepsFor(table), { userId: 'kim', templateIds: [vip], idempotencyKey: 'k' })).coupons).toHaveLength(1);
    expect(await refusalOf(claimCoupons(claimDepsFor(table), { userId: 'lee', templateIds: [vip], idempotencyKey: 'k' }))).toEqual(['NOT_ELIGIBLE']);

    const broken = { tagsOf: async () => 'unavailable' as const };
    expect(await refusalOf(claimCoupons(claimDepsFor(table, { tags: broken }), { userId: 'kim', templateIds: [vip, open], idempotencyKey: 'k2' }))).toEqual(['NOT_ELIGIBLE']);
    expect((await claimCoupons(claimDepsFor(table, { tags: broken }), { userId: 'kim', templateIds: [open], idempotencyKey: 'k3' })).coupons).toHaveLength(1);
  });

  it('keeps stock and coupons equal: what shards lost is exactly what users hold', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 30, shards: 4 } });
    const deps = claimDepsFor(table);
    await Promise.all(Array.from({ length: 12 }, (_, i) => claimCoupons(deps, { userId: `m${i}`, templateIds: [templateId], idempotencyKey: 'k' })));
    const shards = await queryPartition(table, templatePartition(templateId));
    expect(shards.filter((s) => String(s.sk).startsWith('STOCK#')).reduce((sum, s) => sum + Number(s.available), 0)).toBe(18);
  });
});
