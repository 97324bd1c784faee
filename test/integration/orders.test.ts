import { beforeAll, describe, expect, it } from 'vitest';
import { claimCoupons } from '../../lib/claims/claim-service';
import { ConflictError } from '../../lib/errors';
import { cancelOrder, confirmOrder, lockCouponsForOrder, refundOrder, releaseExpiredLocks } from '../../lib/orders/order-service';
import { userCouponKey } from '../../lib/keys';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { activeTemplate, claimDepsFor } from '../support/claims';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { items, orderDepsFor } from '../support/orders';

let table: TestTable;
let templateId: string;
let seq = 0;
beforeAll(async () => {
  table = await createTestTable('orders');
  templateId = await activeTemplate(table, { stock: { total: 10_000, shards: 4 }, perUserLimit: 100, effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 } });
});

async function couponFor(userId: string, template = templateId): Promise<string> {
  const result = await claimCoupons(claimDepsFor(table), { userId, templateIds: [template], idempotencyKey: `k-${++seq}` });
  return result.coupons[0]!.id;
}
const couponStatus = async (userId: string, couponId: string) =>
  (await table.client.send(new GetCommand({ TableName: table.tableName, Key: userCouponKey(userId, couponId), ConsistentRead: true }))).Item?.status;
const lockInput = (userId: string, couponIds: string[], extra: object = {}) => ({ userId, couponIds, kind: 'purchase' as const, currency: 'EUR', items, ...extra });
const conflictCode = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConflictError);
  return (error as ConflictError).code;
};

describe('the order lifecycle against DynamoDB Local', () => {
  it('locks with pricing, confirms to used, and replays every call with the same answer', async () => {
    const deps = orderDepsFor(table);
    const couponId = await couponFor('o-alice');
    const locked = await lockCouponsForOrder(deps, 'order-1', lockInput('o-alice', [couponId]));
    expect(locked).toMatchObject({ state: 'locked', couponIds: [couponId], pricing: { saving: 500, totals: { subtotal: 8000, adjustment: 500, total: 7500 } } });
    expect(await couponStatus('o-alice', couponId)).toBe('locked');
    expect(await lockCouponsForOrder(deps, 'order-1', lockInput('o-alice', [couponId]))).toEqual(locked);

    const confirmed = await confirmOrder(deps, 'order-1');
    expect(confirmed.state).toBe('confirmed');
    expect(await couponStatus('o-alice', couponId)).toBe('used');
    expect(await confirmOrder(deps, 'order-1')).toEqual(confirmed);
    expect(await conflictCode(cancelOrder(deps, 'order-1'))).toBe('INVALID_ORDER_STATE');
  });

  it('cancels back to available; confirm after cancel is 409 with the current state', async () => {
    const deps = orderDepsFor(table);
    const couponId = await couponFor('o-bob');
    await lockCouponsForOrder(deps, 'order-2', lockInput('o-bob', [couponId]));
    const cancelled = await cancelOrder(deps, 'order-2');
    expect(cancelled.state).toBe('cancelled');
    expect(await couponStatus('o-bob', couponId)).toBe('available');
    expect(await cancelOrder(deps, 'order-2')).toEqual(cancelled);
    const error = await confirmOrder(deps, 'order-2').catch((e: ConflictError) => e);
    expect(error).toMatchObject({ code: 'INVALID_ORDER_STATE', details: { state: 'cancelled' } });
    // the coupon is usable again, by another order
    expect((await lockCouponsForOrder(deps, 'order-2b', lockInput('o-bob', [couponId]))).state).toBe('locked');
  });

  it('refuses a coupon that does not fit the cart, another user\'s coupon, and a second lock of the same coupon', async () => {
    const deps = orderDepsFor(table);
    const couponId = await couponFor('o-carol');
    const tooSmall = lockInput('o-carol', [couponId], { items: [{ ...items[1], quantity: 1 }] });
    const error = await lockCouponsForOrder(deps, 'order-3', tooSmall).catch((e: ConflictError) => e);
    expect(error).toMatchObject({ code: 'COUPONS_NOT_APPLICABLE' });
    expect(JSON.stringify((error as ConflictError).details)).toContain('BELOW_MINIMUM');
    await expect(lockCouponsForOrder(deps, 'order-4', lockInput('o-dave', [couponId]))).rejects.toMatchObject({ code: 'COUPON_NOT_FOUND' });

    await lockCouponsForOrder(deps, 'order-5', lockInput('o-carol', [couponId]));
    expect(await conflictCode(lockCouponsForOrder(deps, 'order-6', lockInput('o-carol', [couponId])))).toBe('COUPONS_NOT_APPLICABLE');
    expect(await conflictCode(lockCouponsForOrder(deps, 'order-5', lockInput('o-carol', [couponId], { currency: 'USD' })))).toBe('ORDER_EXISTS');
  });

  it('refunds: a returnable coupon goes back while valid; a non-returnable one stays used; repeats change nothing', async () => {
    const deps = orderDepsFor(table);
    const keep = await activeTemplate(table, { returnOnRefund: false, stacking: { type: 'group', group: 'second' }, perUserLimit: 5 });
    const back = await couponFor('o-erin');
    const kept = await couponFor('o-erin', keep);
    await lockCouponsForOrder(deps, 'order-7', lockInput('o-erin', [back, kept]));
    await confirmOrder(deps, 'order-7');

    const partial = await refundOrder(deps, 'order-7', [back]);
    expect(partial.state).toBe('partially_refunded');
    expect(partial.refunds).toMatchObject([{ couponId: back, outcome: 'returned' }]);
    expect(await couponStatus('o-erin', back)).toBe('available');
    expect(await refundOrder(deps, 'order-7', [back])).toEqual(partial);

    const full = await refundOrder(deps, 'order-7');
    expect(full.state).toBe('refunded');
    expect(full.refunds.find((r) => r.couponId === kept)).toMatchObject({ outcome: 'kept', reason: 'NOT_RETURNABLE' });
    expect(await couponStatus('o-erin', kept)).toBe('used');
    expect(await refundOrder(deps, 'order-7')).toEqual(full);
    await expect(refundOrder(deps, 'order-7', ['not-in-order'])).rejects.toMatchObject({ code: 'COUPON_NOT_IN_ORDER' });
  });

  it('releases a lock nobody confirmed within its time limit', async () => {
    const couponId = await couponFor('o-frank');
    await lockCouponsForOrder(orderDepsFor(table), 'order-8', lockInput('o-frank', [couponId], { lockMinutes: 1 }));
    expect((await releaseExpiredLocks(orderDepsFor(table))).released).toBe(0);
    const later = orderDepsFor(table, { clock: () => Date.now() + 2 * 60_000 });
    const result = await releaseExpiredLocks(later);
    expect(result.released).toBeGreaterThanOrEqual(1);
    expect(await couponStatus('o-frank', couponId)).toBe('available');
    expect(await conflictCode(confirmOrder(later, 'order-8'))).toBe('INVALID_ORDER_STATE');
  });

  it('releases to expired when the coupon\'s validity ended while it was locked', async () => {
    const shortLived = await activeTemplate(table, { validity: { type: 'relative', days: 1 }, perUserLimit: 5 });
    const couponId = await couponFor('o-gina', shortLived);
    await lockCouponsForOrder(orderDepsFor(table), 'order-9', lockInput('o-gina', [couponId]));
    await cancelOrder(orderDepsFor(table, { clock: () => Date.now() + 2 * 86_400_000 }), 'order-9');
    expect(await couponStatus('o-gina', couponId)).toBe('expired');
  });
});

describe('order races (DynamoDB Local)', () => {
  it('two orders racing to lock one coupon: exactly one wins, every time', async () => {
    const deps = orderDepsFor(table);
    for (let round = 0; round < 25; round++) {
      const couponId = await couponFor('o-race');
      const results = await Promise.allSettled([
        lockCouponsForOrder(deps, `race-a-${round}`, lockInput('o-race', [couponId])),
        lockCouponsForOrder(orderDepsFor(table), `race-b-${round}`, lockInput('o-race', [couponId])),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(['COUPON_NOT_AVAILABLE', 'COUPONS_NOT_APPLICABLE']).toContain(loser.reason.code);
      expect(await couponStatus('o-race', couponId)).toBe('locked');
    }
  });

  it('a late confirm racing the timeout release: one outcome, the coupon used or available, never both, never lost', async () => {
    const outcomes = { confirmed: 0, released: 0 };
    for (let round = 0; round < 25; round++) {
      const couponId = await couponFor('o-late');
      const orderId = `late-${round}`;
      await lockCouponsForOrder(orderDepsFor(table), orderId, lockInput('o-late', [couponId], { lockMinutes: 1 }));
      const later = orderDepsFor(table, { clock: () => Date.now() + 2 * 60_000 });
      const [confirm] = await Promise.allSettled([confirmOrder(later, orderId), releaseExpiredLocks(later)]);
      const order = (await later.orders.get(orderId))!;
      const status = await couponStatus('o-late', couponId);
      if (confirm.status === 'fulfilled') {
        expect(order.state).toBe('confirmed');
        expect(status).toBe('used');
        outcomes.confirmed++;
      } else {
        expect(confirm.reason.code).toBe('INVALID_ORDER_STATE');
        expect(order.state).toBe('released');
        expect(status).toBe('available');
        outcomes.released++;
      }
    }
    expect(outcomes.confirmed + outcomes.released).toBe(25);
  });
});
