import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/errors';
import { decodeCursor, encodeCursor } from '../../lib/pagination';

const expected = { attributes: ['pk', 'sk'], partition: { name: 'pk', value: 'USER#alice' } } as const;

describe('cursors', () => {
  it('round-trips a key of the expected partition', () => {
    const key = { pk: 'USER#alice', sk: 'CPN#01' };
    expect(decodeCursor(encodeCursor(key), expected)).toEqual(key);
  });

  it.each([
    ['garbage', 'not-a-cursor!!'],
    ['another user\'s partition', encodeCursor({ pk: 'USER#mallory', sk: 'CPN#01' })],
    ['extra attributes', encodeCursor({ pk: 'USER#alice', sk: 'CPN#01', admin: 'true' })],
    ['non-string values', encodeCursor({ pk: 'USER#alice', sk: 1 })],
    ['an array', Buffer.from('[1,2]').toString('base64url')],
  ])('refuses %s with INVALID_CURSOR', (_label, cursor) => {
    expect(() => decodeCursor(cursor, expected)).toThrow(InvalidInputError);
    try {
      decodeCursor(cursor, expected);
    } catch (error) {
      expect((error as InvalidInputError).code).toBe('INVALID_CURSOR');
    }
  });
});
