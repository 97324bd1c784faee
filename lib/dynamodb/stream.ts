import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type EntityName, type ItemChange, withoutKeys } from '../entities';

/** The part of a DynamoDB stream record (as Lambda and DynamoDB Streams deliver it) that changes are read from. */
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

const kinds = { INSERT: 'insert', MODIFY: 'modify', REMOVE: 'remove' } as const;

/**
 * The changes of one entity (or of several) in a batch of stream records, in stream order,
 * unmarshalled and without keys: what the domain's stream consumers (events, statistics) read. Records
 * of other entities are left out.
 */
export function changesOf<T>(records: readonly StreamRecord[], entity: EntityName | readonly EntityName[]): ItemChange<T>[] {
  const wanted: readonly string[] = typeof entity === 'string' ? [entity] : entity;
  return records.flatMap((record): ItemChange<T>[] => {
    const kind = kinds[record.eventName as keyof typeof kinds];
    const newImage = record.dynamodb?.NewImage;
    const oldImage = record.dynamodb?.OldImage;
    const after = newImage ? unmarshall(newImage as never) : undefined;
    const before = oldImage ? unmarshall(oldImage as never) : undefined;
    const itemEntity = (after ?? before)?.entity as EntityName | undefined;
    if (!kind || !itemEntity || !wanted.includes(itemEntity)) return [];
    const created = record.dynamodb?.ApproximateCreationDateTime;
    const at = created instanceof Date ? created.toISOString() : created !== undefined ? new Date(created * 1000).toISOString() : new Date().toISOString();
    return [
      {
        kind,
        entity: itemEntity,
        ...(after ? { after: withoutKeys<T>(after) } : {}),
        ...(before ? { before: withoutKeys<T>(before) } : {}),
        eventId: record.eventID ?? 'local',
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        at,
      },
    ];
  });
}
