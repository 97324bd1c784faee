import { Entity, entityItem } from '../entities';
import { expiryIndexKey, settledIndexKey, userCouponKey } from '../keys';
import type { Coupon } from './coupon';

/**
 * A coupon as stored: its key in the user's partition, its place in the lifecycle index (by expiry while
 * it can be used, by settlement once used or expired), its entity tag, then the coupon. Every path that
 * writes a new coupon (claims, campaigns, and later codes and imports) builds it here.
 */
export function couponItem<C extends Coupon>(coupon: C) {
  return entityItem(Entity.coupon, { ...userCouponKey(coupon.userId, coupon.id), ...lifecycleIndexKeyOf(coupon) }, coupon);
}

/** Where a coupon with this status belongs in the lifecycle index. */
export function lifecycleIndexKeyOf(coupon: Pick<Coupon, 'userId' | 'id' | 'status' | 'validUntil' | 'usedAt' | 'expiredAt'>) {
  switch (coupon.status) {
    case 'available':
    case 'locked':
      return expiryIndexKey(coupon);
    case 'used':
      return settledIndexKey(coupon, coupon.usedAt ?? coupon.validUntil);
    case 'expired':
      return settledIndexKey(coupon, coupon.expiredAt ?? coupon.validUntil);
  }
}
