import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, entityItem } from '../entities';
import { userProfileKey } from '../keys';
import type { TagSource } from './tag-source';

/** The default tag source: a profile item in the user's partition, kept by the back office. */
export class TagRepository implements TagSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async tagsOf(userId: string): Promise<readonly string[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userProfileKey(userId) }));
    return (Item?.tags as string[] | undefined) ?? [];
  }

  async setTags(userId: string, tags: readonly string[], nowIso: string): Promise<{ userId: string; tags: string[]; updatedAt: string }> {
    const unique = [...new Set(tags)].sort();
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: entityItem(Entity.profile, userProfileKey(userId), { userId, tags: unique, updatedAt: nowIso }) }));
    return { userId, tags: unique, updatedAt: nowIso };
  }
}

