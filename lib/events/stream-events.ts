import type { CodeBatch } from '../codes/code-batch';
import type { Coupon } from '../coupons/coupon';
import { type CouponTransition, couponTransition } from '../coupons/coupon-transitions';
import { Entity, type ItemChange } from '../entities';
import type { Reminder } from '../lifecycle/lifecycle-ports';
import { type DomainEvent, EVENT_VERSION, type EventType, eventSchemas } from './event-catalog';

const eventOf: Record<CouponTransition, EventType> = {
  locked: 'CouponLocked',
  used: 'CouponUsed',
  released: 'CouponReleased',
  returned: 'CouponReturned',
  expired: 'CouponExpired',
};

/**
 * Domain events from one committed change of a coupon. Events come only from the table's stream, so
 * an event exists if and only if the write it describes committed. Pure: no I/O.
 */
export function eventsFromCouponChange(change: ItemChange<Coupon>): DomainEvent[] {
  const { after, before } = change;
  const make = <T extends EventType>(type: T, data: DomainEvent<T>['data']): DomainEvent<T> => ({
    type,
    metadata: { id: `${change.eventId}:${type}`, version: EVENT_VERSION[type], occurredAt: change.at },
    data: eventSchemas[type].parse(data) as DomainEvent<T>['data'],
  });
  const ref = (c: Coupon) => ({ couponId: c.id, userId: c.userId, templateId: c.templateId });
  // What the legacy system did (an imported coupon, a change the dual write brought) already happened
  // there, and was announced there: no event, so nobody is told twice. Statistics still count it.
  if (after?.source === 'import' && (change.kind === 'insert' || after.legacyUpdatedAt !== before?.legacyUpdatedAt)) return [];

  if (change.kind === 'insert' && after) {
    const issued = { ...ref(after), issuedAt: after.issuedAt, validFrom: after.validFrom, validUntil: after.validUntil };
    if (after.source === 'claim') return [make('CouponClaimed', issued)];
    const issuedEvent = make('CouponIssued', { ...issued, ...(after.campaignId ? { campaignId: after.campaignId } : {}) });
    return after.codeBatchId ? [issuedEvent, make('CodeRedeemed', { ...ref(after), batchId: after.codeBatchId })] : [issuedEvent];
  }
  if (change.kind === 'modify' && after && before && before.status !== after.status) {
    const transition = couponTransition(before.status, after.status);
    if (!transition) return [];
    const type = eventOf[transition];
    const orderId = after.orderId ?? before.orderId ?? '';
    if (type === 'CouponExpired') return [make(type, ref(after))];
    if (type === 'CouponReleased') return [make(type, { ...ref(after), orderId, status: after.status as 'available' | 'expired' })];
    return [make(type, { ...ref(after), orderId })];
  }
  return [];
}

/** The reminder a reminder record stands for: published once, when the record is written (its id is the record's identity). */
export function eventsFromReminderChange(change: ItemChange<Reminder>): DomainEvent[] {
  if (change.kind !== 'insert' || !change.after) return [];
  const { userId, offset, day, coupons } = change.after;
  const data = eventSchemas.CouponsExpiringSoon.parse({ userId, offset, day, coupons: coupons.map(({ couponId, templateId, name, validUntil }) => ({ couponId, templateId, name, validUntil })) });
  return [{ type: 'CouponsExpiringSoon', metadata: { id: `reminder:${userId}:${day}:${offset}`, version: EVENT_VERSION.CouponsExpiringSoon, occurredAt: change.at }, data }];
}

/** CodeBatchGenerated when a batch becomes ready: a unique one when its last part is counted and exported, a shared one when it is written. */
export function eventsFromCodeBatchChange(change: ItemChange<CodeBatch>): DomainEvent[] {
  const { after, before } = change;
  if (!after || after.status !== 'ready' || before?.status === 'ready') return [];
  const data = eventSchemas.CodeBatchGenerated.parse({ batchId: after.batchId, templateId: after.templateId, kind: after.kind, codes: after.count });
  return [{ type: 'CodeBatchGenerated', metadata: { id: `code-batch:${after.batchId}:generated`, version: EVENT_VERSION.CodeBatchGenerated, occurredAt: change.at }, data }];
}

/** Domain events from one committed change of any entity the publisher reads. */
export function eventsFromChange(change: ItemChange<unknown>): DomainEvent[] {
  switch (change.entity) {
    case Entity.coupon:
      return eventsFromCouponChange(change as ItemChange<Coupon>);
    case Entity.reminder:
      return eventsFromReminderChange(change as ItemChange<Reminder>);
    case Entity.codeBatch:
      return eventsFromCodeBatchChange(change as ItemChange<CodeBatch>);
    default:
      return [];
  }
}
