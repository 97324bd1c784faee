import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, entityItem } from '../entities';
import { globalBlocklistKey } from '../keys';
import type { GlobalBlocklist } from './blocklist';

/** The global product block list: products no coupon ever discounts, whatever its own scope says. */
export class BlocklistRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<GlobalBlocklist & { updatedAt?: string }> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: globalBlocklistKey }));
    return Item ? { productIds: Item.productIds as string[], updatedAt: Item.updatedAt as string } : { productIds: [] };
  }

  async put(blocklist: GlobalBlocklist, nowIso: string): Promise<GlobalBlocklist & { updatedAt: string }> {
    const productIds = [...new Set(blocklist.productIds)].sort();
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: entityItem(Entity.settings, globalBlocklistKey, { productIds, updatedAt: nowIso }) }));
    return { productIds, updatedAt: nowIso };
  }
}
