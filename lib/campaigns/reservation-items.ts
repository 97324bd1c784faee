import { Entity, entityItem } from '../entities';
import { campaignReservationKey } from '../keys';
import type { ShardQuantity } from '../templates/stock-items';

/**
 * How a campaign's reserved stock moves, as transaction items. The reservation is spread over shard
 * items; each keeps `initial` (reserved at start), `available` (the pool chunks draw from), `drawn`,
 * `returned` (what chunks did not issue and gave back to the pool) and `givenBack` (to the template), so
 * that `initial = available + (drawn - returned) + givenBack` at every moment, where `drawn - returned`
 * is what was issued plus what chunks in flight hold.
 *
 * `state` is the fence between chunks and the campaign's lifecycle: chunks draw only from `open` shards;
 * pausing sets `paused`, cancelling sets `closed` and gives the pool back in the same transaction, so
 * no chunk draws (and so no coupon is written) after stock was given back.
 */
export type ReservationState = 'open' | 'paused' | 'closed';

export interface ReservationShard {
  readonly shard: number;
  readonly initial: number;
  readonly available: number;
  readonly drawn: number;
  readonly returned: number;
  readonly givenBack: number;
  readonly state: ReservationState;
}

export const createReservationShard = (tableName: string, campaignId: string, shard: number, quantity: number) => ({
  Put: {
    TableName: tableName,
    Item: entityItem(Entity.campaignReservation, campaignReservationKey(campaignId, shard), { campaignId, shard, initial: quantity, available: quantity, drawn: 0, returned: 0, givenBack: 0, state: 'open' }),
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** A chunk takes units for its users; only from an open shard that holds enough. */
export const drawFromReservation = (tableName: string, campaignId: string, take: ShardQuantity) => ({
  Update: {
    TableName: tableName,
    Key: campaignReservationKey(campaignId, take.shard),
    UpdateExpression: 'SET available = available - :quantity ADD drawn :quantity',
    ConditionExpression: '#state = :open AND available >= :quantity',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':quantity': take.quantity, ':open': 'open' },
  },
});

/** A finished chunk gives back to the pool what it did not issue, while the campaign can still use it. */
export const returnToReservation = (tableName: string, campaignId: string, add: ShardQuantity) => ({
  Update: {
    TableName: tableName,
    Key: campaignReservationKey(campaignId, add.shard),
    UpdateExpression: 'ADD available :quantity, returned :quantity',
    ConditionExpression: '#state IN (:open, :paused)',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':quantity': add.quantity, ':open': 'open', ':paused': 'paused' },
  },
});

/** After the campaign closed, a chunk that finishes gives what it did not issue straight back to the template (with addToShard 'give-back'). */
export const returnPastClose = (tableName: string, campaignId: string, add: ShardQuantity) => ({
  Update: {
    TableName: tableName,
    Key: campaignReservationKey(campaignId, add.shard),
    UpdateExpression: 'ADD returned :quantity, givenBack :quantity',
    ConditionExpression: '#state = :closed',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':quantity': add.quantity, ':closed': 'closed' },
  },
});

/**
 * Moves a shard to another state and gives `giveBack` of its pool to the template (with addToShard
 * 'give-back' items in the same transaction). Conditioned on the pool being what was read, so a chunk
 * returning units meanwhile makes the caller read again rather than lose them.
 */
export const settleReservation = (tableName: string, campaignId: string, shard: ReservationShard, to: ReservationState, giveBack: number) => ({
  Update: {
    TableName: tableName,
    Key: campaignReservationKey(campaignId, shard.shard),
    UpdateExpression: 'SET #state = :to, available = available - :giveBack ADD givenBack :giveBack',
    ConditionExpression: 'available = :seen',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':to': to, ':giveBack': giveBack, ':seen': shard.available },
  },
});

export const reservationShardOf = (item: Record<string, unknown>): ReservationShard => ({
  shard: Number(item.shard),
  initial: Number(item.initial),
  available: Number(item.available),
  drawn: Number(item.drawn),
  returned: Number(item.returned),
  givenBack: Number(item.givenBack),
  state: item.state as ReservationState,
});

/** Reservation shards for a reservation: about one per 1,000 units, at most 16 (lib/keys.ts). */
export const reservationShardCount = (reserved: number, max: number): number => Math.max(1, Math.min(max, Math.ceil(reserved / 1_000)));

/** The reservation shard a lane's chunks draw from first (prepare puts each lane's entries there). */
export const homeShardOf = (lane: number, shardCount: number): number => lane % shardCount;
