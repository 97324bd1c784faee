import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Coupon } from '../coupons/coupon';
import { type CouponTransition, couponTransition } from '../coupons/coupon-transitions';
import { type DomainEvent, EVENT_VERSION, type EventType, eventSchemas } from './event-catalog';

/** The part of a DynamoDB stream record (as Lambda and DynamoDB Streams deliver it) that events come from. */
export interface StreamRecord {
  readonly eventID?: string;
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  readonly dynamodb?: {
    readonly NewImage?: Record<string, AttributeValue>;
    readonly OldImage?: Record<string, AttributeValue>;
    readonly SequenceNumber?: string;
    readonly ApproximateCreationDateTime?: number | Date;
  };
}

/** The record's item after and before the write, unmarshalled (either may be absent). */
export function streamImages<T>(record: StreamRecord): { after?: T; before?: T } {
  const image = (raw: Record<string, AttributeValue> | undefined) => (raw ? (unmarshall(raw as never) as T) : undefined);
  return { after: image(record.dynamodb?.NewImage), before: image(record.dynamodb?.OldImage) };
}

const eventOf: Record<CouponTransition, EventType> = {
  locked: 'CouponLocked',
  used: 'CouponUsed',
  released: 'CouponReleased',
  returned: 'CouponReturned',
  expired: 'CouponExpired',
};

/**
 * Domain events from one committed write. Events come only from the table's stream, so an event
 * exists if and only if the write it describes committed. Pure: no I/O.
 */
export function eventsFromStreamRecord(record: StreamRecord): DomainEvent[] {
  const { after, before } = streamImages<Coupon & { entity?: string }>(record);
  if ((after ?? before)?.entity !== 'coupon') return [];
  const at = record.dynamodb?.ApproximateCreationDateTime;
  const occurredAt = at instanceof Date ? at.toISOString() : at !== undefined ? new Date(at * 1000).toISOString() : new Date().toISOString();
  const make = <T extends EventType>(type: T, data: DomainEvent<T>['data']): DomainEvent<T> => ({
    type,
    metadata: { id: `${record.eventID ?? 'local'}:${type}`, version: EVENT_VERSION[type], occurredAt },
    data: eventSchemas[type].parse(data) as DomainEvent<T>['data'],
  });
  const ref = (c: Coupon) => ({ couponId: c.id, userId: c.userId, templateId: c.templateId });

  if (record.eventName === 'INSERT' && after) {
    const issued = { ...ref(after), issuedAt: after.issuedAt, validFrom: after.validFrom, validUntil: after.validUntil };
    return after.source === 'claim' ? [make('CouponClaimed', issued)] : [make('CouponIssued', { ...issued, ...(after.campaignId ? { campaignId: after.campaignId } : {}) })];
  }
  if (record.eventName === 'MODIFY' && after && before && before.status !== after.status) {
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
