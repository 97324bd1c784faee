import { inventoryShardKey } from '../keys';

/**
 * How stock moves, as transaction items: every claim, campaign reservation, restock and give-back uses
 * these two, so the shard arithmetic and its guard live in one place.
 */
export interface ShardQuantity {
  readonly shard: number;
  readonly quantity: number;
}

/** Takes units from a shard; the condition makes a short shard cancel the whole transaction. */
export const takeFromShard = (tableName: string, templateId: string, take: ShardQuantity) => ({
  Update: {
    TableName: tableName,
    Key: inventoryShardKey(templateId, take.shard),
    UpdateExpression: 'SET available = available - :quantity',
    ConditionExpression: 'available >= :quantity',
    ExpressionAttributeValues: { ':quantity': take.quantity },
  },
});

/** Puts units (back) on a shard. */
export const addToShard = (tableName: string, templateId: string, add: ShardQuantity) => ({
  Update: {
    TableName: tableName,
    Key: inventoryShardKey(templateId, add.shard),
    UpdateExpression: 'ADD available :quantity',
    ExpressionAttributeValues: { ':quantity': add.quantity },
  },
});
