import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UserTags } from '../claims/eligibility';
import { Entity, entityItem } from '../entities';
import { userProfileKey } from '../keys';
import type { CircuitBreaker } from './circuit-breaker';

/** Where a user's audience tags come from. The default keeps them in the user's partition; a CRM or segment service can implement this instead. */
export interface TagSource {
  tagsOf(userId: string): Promise<readonly string[]>;
}

export class DynamoDbTagSource implements TagSource {
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

/**
 * Reads tags through a timeout and circuit breaker. Any failure becomes `unavailable`: targeted
 * templates are then refused with NOT_ELIGIBLE, and untargeted ones are unaffected.
 */
export class ResilientTagReader {
  constructor(
    private readonly source: TagSource,
    private readonly breaker: CircuitBreaker,
  ) {}

  async tagsOf(userId: string): Promise<UserTags> {
    try {
      return await this.breaker.call(() => this.source.tagsOf(userId));
    } catch (error) {
      console.warn(JSON.stringify({ level: 'WARN', message: 'audience tags unavailable', error: String(error) }));
      return 'unavailable';
    }
  }
}
