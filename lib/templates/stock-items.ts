import { inventoryShardKey } from '../keys';

/**
 * How stock moves, as transaction items: every claim, campaign reservation, restock and give-back uses
 * these two, so the shard arithmetic, its guard and its ledger live in one place. Each shard keeps,
 * beside what is `available`, where its units went: `added` (created and restocked), `claimed` (issued
 * by claims), `reserved` (taken by campaigns) and `returned` (given back by campaigns), so that for every
 * shard at every moment `added = available + claimed + reserved - returned` (lib/ledger checks it).
 */
export interface ShardQuantity {
  readonly shard: number;
  readonly quantity: number;
}

/** Why units leave a shard: a claim issues them, a campaign reserves them. */
export type TakePurpose = 'claim' | 'reserve';
/** Why units come to a shard: the back office adds stock, a campaign gives back what it did not issue. */
export type AddPurpose = 'restock' | 'give-back';

const takenAs: Record<TakePurpose, string> = { claim: 'claimed', reserve: 'reserved' };
const addedAs: Record<AddPurpose, string> = { restock: 'added', 'give-back': 'returned' };

/** Takes units from a shard; the condition makes a short shard cancel the whole transaction. */
export const takeFromShard = (tableName: string, templateId: string, take: ShardQuantity, purpose: TakePurpose) => ({
  Update: {
    TableName: tableName,
    Key: inventoryShardKey(templateId, take.shard),
    UpdateExpression: 'SET available = available - :quantity ADD #flow :quantity',
    ConditionExpression: 'available >= :quantity',
    ExpressionAttributeNames: { '#flow': takenAs[purpose] },
    ExpressionAttributeValues: { ':quantity': take.quantity },
  },
});

/** Puts units (back) on a shard. */
export const addToShard = (tableName: string, templateId: string, add: ShardQuantity, purpose: AddPurpose) => ({
  Update: {
    TableName: tableName,
    Key: inventoryShardKey(templateId, add.shard),
    UpdateExpression: 'ADD available :quantity, #flow :quantity',
    ExpressionAttributeNames: { '#flow': addedAs[purpose] },
    ExpressionAttributeValues: { ':quantity': add.quantity },
  },
});
