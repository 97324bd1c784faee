import { splitAcrossShards } from '../templates/template';
import type { GiveBack } from './campaign-repository';
import type { ReservationShard } from './reservation-items';

/**
 * How `quantity` units of a campaign's pool go back to its template: taken from the reservation shards
 * that hold the most first (every shard is listed, so each one's state moves with the status), spread
 * evenly over the template's stock shards. Pure.
 */
export function planGiveBack(shards: readonly ReservationShard[], quantity: number, templateStockShards: number): GiveBack {
  let left = Math.max(0, Math.min(quantity, shards.reduce((sum, shard) => sum + shard.available, 0)));
  const total = left;
  const fromReservation = [...shards]
    .sort((a, b) => b.available - a.available)
    .map((shard) => {
      const take = Math.min(shard.available, left);
      left -= take;
      return { shard, quantity: take };
    });
  const toStock = splitAcrossShards(total, templateStockShards).flatMap((q, shard) => (q > 0 ? [{ shard, quantity: q }] : []));
  return { fromReservation, toStock };
}

export const poolOf = (shards: readonly ReservationShard[]): number => shards.reduce((sum, shard) => sum + shard.available, 0);
export const givenBackOf = (shards: readonly ReservationShard[]): number => shards.reduce((sum, shard) => sum + shard.givenBack, 0);
