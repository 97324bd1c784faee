import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { Entity } from '../../lib/entities';
import { statisticsDeltas as deltasOf } from '../../lib/statistics/statistics';

const coupon = (status: string, templateId = 't1') => ({ pk: 'USER#u', sk: 'CPN#c', entity: 'coupon', id: 'c', templateId, status });
const record = (eventName: string, after?: object, before?: object): StreamRecord => ({
  eventName,
  dynamodb: { ...(after ? { NewImage: marshall(after) as never } : {}), ...(before ? { OldImage: marshall(before) as never } : {}) },
});

/** Stream records read as the deployed consumer reads them: coupon changes only. */
const statisticsDeltas = (records: StreamRecord[]) => deltasOf(changesOf(records, Entity.coupon));

describe('statisticsDeltas', () => {
  it('counts issues, moves gauges on status changes and totals transitions, per template', () => {
    const deltas = statisticsDeltas([
      record('INSERT', coupon('available')),
      record('INSERT', coupon('available', 't2')),
      record('MODIFY', coupon('locked'), coupon('available')),
      record('MODIFY', coupon('used'), coupon('locked')),
      record('MODIFY', coupon('available'), coupon('used')),
      record('MODIFY', coupon('locked'), coupon('available')),
      record('MODIFY', coupon('expired'), coupon('locked')),
      record('INSERT', { pk: 'TPL#t1', sk: 'STOCK#000', available: 5 }),
    ]);
    expect(deltas.get('t1')).toEqual({ issued: 1, expired: 1, lockedTotal: 2, usedTotal: 1, returnedTotal: 1, releasedTotal: 1, expiredTotal: 1 });
    expect(deltas.get('t2')).toEqual({ issued: 1, available: 1 });
  });

  it('ignores changes that keep the status', () => {
    expect(statisticsDeltas([record('MODIFY', { ...coupon('available'), name: 'x' }, coupon('available'))]).size).toBe(0);
  });
});
