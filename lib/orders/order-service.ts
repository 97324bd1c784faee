import { requestFingerprint } from '../fingerprint';
import type { CouponRepository } from '../coupons/coupon-repository';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors';
import { priceSelection } from '../pricing/pricing-engine';
import { toPricingCoupon } from '../pricing/quote-service';
import { type Clock, toIso } from '../time';
import type { LockOrderInput, Order, OrderState, OrderView, RefundedCoupon } from './order';
import { orderView } from './order';
import type { OrderRepository } from './order-repository';
import { BusinessMetric, type Telemetry } from '../telemetry';

export interface OrderDeps {
  readonly orders: OrderRepository;
  readonly coupons: Pick<CouponRepository, 'getMany'>;
  readonly blockedProductIds: () => Promise<ReadonlySet<string>>;
  readonly clock: Clock;
  readonly maxCouponsPerOrder: number;
  readonly defaultLockMinutes: number;
  /** Expired locks the releaser reads per GSI1 shard per run. */
  readonly releaseBatchPerShard: number;
  readonly telemetry: Pick<Telemetry, 'count'>;
}

const MINUTE_MS = 60_000;

const lockRequestHash = (input: LockOrderInput): string => {
  const { lockMinutes: _ignored, ...identity } = input;
  return requestFingerprint({ ...identity, couponIds: [...identity.couponIds].sort() });
};

const wrongState = (order: Order, action: string) =>
  new ConflictError('INVALID_ORDER_STATE', `Cannot ${action} an order that is ${order.state}`, { orderId: order.orderId, state: order.state, order: orderView(order) });

async function requireOrder(deps: OrderDeps, orderId: string): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError('order', orderId);
  return order;
}

/**
 * Checks the coupons against the cart again and locks them for the order, all or none. Replaying the
 * same lock returns the order; a different lock for an existing order id is refused with its state.
 */
export async function lockCouponsForOrder(deps: OrderDeps, orderId: string, input: LockOrderInput): Promise<OrderView> {
  const requestHash = lockRequestHash(input);
  const existing = await deps.orders.get(orderId);
  if (existing) return replayLock(existing, requestHash);

  const nowMs = deps.clock();
  const couponIds = [...new Set(input.couponIds)];
  const coupons = await deps.coupons.getMany(input.userId, couponIds);
  const missing = couponIds.find((id) => !coupons.some((c) => c.id === id));
  if (missing) throw new NotFoundError('coupon', missing);

  const cart = { kind: input.kind, currency: input.currency, lines: input.items };
  const priced = priceSelection(cart, coupons.map((c) => toPricingCoupon(c, nowMs)), {
    nowMs,
    blockedProductIds: await deps.blockedProductIds(),
    maxCouponsPerOrder: deps.maxCouponsPerOrder,
  });
  if (!priced.ok) {
    throw new ConflictError('COUPONS_NOT_APPLICABLE', 'These coupons cannot be used together on this order', {
      verdicts: priced.verdicts.filter((v) => !v.applicable),
    });
  }
  const order: Order = {
    orderId,
    userId: input.userId,
    state: 'locked',
    coupons: coupons.map((c) => ({ couponId: c.id, templateId: c.templateId, validUntil: c.validUntil, returnOnRefund: c.returnOnRefund })),
    pricing: priced.combination,
    currency: input.currency,
    kind: input.kind,
    requestHash,
    lockedAt: toIso(nowMs),
    lockExpiresAt: toIso(nowMs + (input.lockMinutes ?? deps.defaultLockMinutes) * MINUTE_MS),
    refunds: [],
    version: 0,
  };
  const outcome = await deps.orders.lock(order, toIso(nowMs));
  if (outcome.kind === 'written') {
    deps.telemetry.count(BusinessMetric.ordersLocked);
    return orderView(order);
  }
  if (outcome.kind === 'order-changed') return replayLock(await requireOrder(deps, orderId), requestHash);
  throw new ConflictError('COUPON_NOT_AVAILABLE', 'Some coupons are no longer available (used, locked by another order, or expired)', { couponIds: outcome.couponIds });
}

function replayLock(order: Order, requestHash: string): OrderView {
  if (order.requestHash !== requestHash) {
    throw new ConflictError('ORDER_EXISTS', 'This order id was already used with other coupons or items', { orderId: order.orderId, state: order.state, order: orderView(order) });
  }
  return orderView(order);
}

/** Applies a state change; if the order moved meanwhile (a race), answers from its new state. */
async function transition(
  deps: OrderDeps,
  orderId: string,
  action: string,
  done: readonly OrderState[],
  write: (order: Order, nowIso: string) => Promise<Awaited<ReturnType<OrderRepository['confirm']>>>,
  next: (order: Order, nowIso: string) => Order,
): Promise<OrderView> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const order = await requireOrder(deps, orderId);
    if (done.includes(order.state)) return orderView(order);
    if (order.state !== 'locked') throw wrongState(order, action);
    const nowIso = toIso(deps.clock());
    const outcome = await write(order, nowIso);
    if (outcome.kind === 'written') return orderView(next(order, nowIso));
    if (outcome.kind === 'coupons-unavailable') {
      throw new ConflictError('COUPON_STATE_MISMATCH', 'A coupon of this order is not in the state the order expects', { couponIds: outcome.couponIds });
    }
  }
  throw wrongState(await requireOrder(deps, orderId), action);
}

/** Payment went through: locked -> used. A replay answers the same; after a cancel or release it is 409. */
export function confirmOrder(deps: OrderDeps, orderId: string): Promise<OrderView> {
  return transition(
    deps,
    orderId,
    'confirm',
    ['confirmed', 'partially_refunded', 'refunded'],
    (order, nowIso) => deps.orders.confirm(order, nowIso),
    (order, nowIso) => ({ ...order, state: 'confirmed', confirmedAt: nowIso }),
  );
}

/** The order was cancelled: its coupons go back to the wallet (or expire, if their validity ended). */
export function cancelOrder(deps: OrderDeps, orderId: string): Promise<OrderView> {
  return transition(
    deps,
    orderId,
    'cancel',
    // A lock the system already released has given the coupons back: cancelling it again is a no-op.
    ['cancelled', 'released'],
    (order, nowIso) => deps.orders.unlock(order, 'cancelled', nowIso),
    (order, nowIso) => ({ ...order, state: 'cancelled', cancelledAt: nowIso }),
  );
}

/**
 * Gives coupons of a paid order back: each named coupon (all, without a list) returns to the wallet
 * while still valid if its template allows; otherwise it stays used, and the answer says why. Each
 * coupon is refunded at most once; repeating a refund repeats the answer.
 */
export async function refundOrder(deps: OrderDeps, orderId: string, couponIds?: readonly string[]): Promise<OrderView> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const order = await requireOrder(deps, orderId);
    if (order.state !== 'confirmed' && order.state !== 'partially_refunded' && order.state !== 'refunded') throw wrongState(order, 'refund');
    const inOrder = new Set(order.coupons.map((c) => c.couponId));
    const unknown = couponIds?.find((id) => !inOrder.has(id));
    if (unknown) throw new InvalidInputError('COUPON_NOT_IN_ORDER', `Coupon ${unknown} was not used on this order`, { couponId: unknown });

    const already = new Set(order.refunds.map((r) => r.couponId));
    const targets = (couponIds ? [...new Set(couponIds)] : [...inOrder]).filter((id) => !already.has(id));
    if (targets.length === 0) return orderView(order);

    const nowIso = toIso(deps.clock());
    const outcomes: RefundedCoupon[] = targets.map((couponId) => {
      const coupon = order.coupons.find((c) => c.couponId === couponId)!;
      if (!coupon.returnOnRefund) return { couponId, outcome: 'kept', reason: 'NOT_RETURNABLE', at: nowIso };
      if (coupon.validUntil <= nowIso) return { couponId, outcome: 'kept', reason: 'EXPIRED', at: nowIso };
      return { couponId, outcome: 'returned', at: nowIso };
    });
    const nextState: OrderState = already.size + outcomes.length === inOrder.size ? 'refunded' : 'partially_refunded';
    const written = await deps.orders.refund(order, outcomes, nextState);
    if (written.kind === 'written') return orderView({ ...order, state: nextState, refunds: [...order.refunds, ...outcomes], version: order.version + 1 });
    if (written.kind === 'coupons-unavailable') {
      throw new ConflictError('COUPON_STATE_MISMATCH', 'A coupon of this order is not in the state the order expects', { couponIds: written.couponIds });
    }
    // another refund of this order committed first: read again and refund what is left
  }
  throw wrongState(await requireOrder(deps, orderId), 'refund');
}

/** The system's side of the lock timeout: releases every lock that expired. Safe to run concurrently with confirms. */
export async function releaseExpiredLocks(deps: OrderDeps): Promise<{ released: number; skipped: number }> {
  const nowIso = toIso(deps.clock());
  let released = 0;
  let skipped = 0;
  for (const order of await deps.orders.expiredLocks(nowIso, deps.releaseBatchPerShard)) {
    const outcome = await deps.orders.unlock(order, 'released', nowIso);
    if (outcome.kind === 'written') released++;
    else skipped++; // confirmed or cancelled first: that outcome stands
  }
  return { released, skipped };
}

export async function getOrder(deps: Pick<OrderDeps, 'orders'>, orderId: string): Promise<OrderView> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError('order', orderId);
  return orderView(order);
}
