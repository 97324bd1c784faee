import * as z from 'zod';
import { InvalidInputError } from './errors';

type Key = Record<string, unknown>;

/**
 * Cursors are opaque to clients: base64url of DynamoDB's LastEvaluatedKey. On the way back in, a
 * cursor is checked to have exactly the expected string attributes and to belong to the partition
 * being queried, so a forged cursor cannot page through another user's partition and a garbled one is
 * a 400, not a DynamoDB ValidationException.
 */
export function encodeCursor(lastEvaluatedKey: Key | undefined): string | undefined {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, expected: { attributes: readonly string[]; partition: { name: string; value: string } }): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new InvalidInputError('INVALID_CURSOR', 'The cursor is not one this listing returned');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid();
  const key = decoded as Key;
  const names = Object.keys(key).sort();
  if (names.join() !== [...expected.attributes].sort().join()) throw invalid();
  if (!names.every((name) => typeof key[name] === 'string')) throw invalid();
  if (key[expected.partition.name] !== expected.partition.value) throw invalid();
  return key;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** The response schema of a paged listing. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
