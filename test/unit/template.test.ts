import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors';
import { applyTemplateUpdate, assertStatusTransition, defaultShardCount, newTemplate, splitAcrossShards } from '../../lib/templates/template';
import { CreateTemplateInput, MAX_STOCK_SHARDS, TEMPLATE_STATUSES, type TemplateStatus } from '../../lib/templates/template-schema';
import { templateInput } from '../support/fixtures';

describe('splitAcrossShards', () => {
  it('spreads any quantity so that shards sum to it and differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: MAX_STOCK_SHARDS }), (quantity, shards) => {
        const portions = splitAcrossShards(quantity, shards);
        expect(portions).toHaveLength(shards);
        expect(portions.reduce((a, b) => a + b, 0)).toBe(quantity);
        expect(Math.max(...portions) - Math.min(...portions)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses a shard count outside the bounds', () => {
    expect(() => splitAcrossShards(10, 0)).toThrow(RangeError);
    expect(() => splitAcrossShards(10, MAX_STOCK_SHARDS + 1)).toThrow(RangeError);
  });
});

describe('defaultShardCount', () => {
  it.each([
    [0, 1],
    [1, 1],
    [500, 1],
    [501, 2],
    [10_000, 16],
    [1_000_000_000, 16],
  ])('stock %i gets %i shard(s)', (stock, shards) => {
    expect(defaultShardCount(stock)).toBe(shards);
  });
});

describe('status transitions', () => {
  const allowed = new Set(['draft>active', 'active>paused', 'paused>active', 'active>ended', 'paused>ended']);
  const pairs = TEMPLATE_STATUSES.flatMap((from) => TEMPLATE_STATUSES.filter((to) => to !== from).map((to) => [from, to] as [TemplateStatus, TemplateStatus]));

  it.each(pairs)('%s -> %s is allowed only if listed', (from, to) => {
    if (allowed.has(`${from}>${to}`)) expect(() => assertStatusTransition(from, to)).not.toThrow();
    else expect(() => assertStatusTransition(from, to)).toThrow(ConflictError);
  });
});

describe('applyTemplateUpdate', () => {
  const draft = newTemplate(CreateTemplateInput.parse(templateInput()), '01HZZZZZZZZZZZZZZZZZZZZZZZ', '2026-01-01T00:00:00.000Z');

  it('changes coupon rules while the template is a draft', () => {
    const next = applyTemplateUpdate(draft, { effect: { type: 'percent_off', percentOffBps: 1500 } }, '2026-01-02T00:00:00.000Z');
    expect(next.effect).toEqual({ type: 'percent_off', percentOffBps: 1500 });
    expect(next.updatedAt).toBe('2026-01-02T00:00:00.000Z');
  });

  it('freezes coupon rules once active but still allows the name and limits', () => {
    const active = { ...draft, status: 'active' as const };
    expect(() => applyTemplateUpdate(active, { effect: { type: 'amount_off', amountOff: 1 } }, 'now')).toThrow(/draft/);
    expect(applyTemplateUpdate(active, { name: 'Renamed', perUserLimit: 3 }, 'now')).toMatchObject({ name: 'Renamed', perUserLimit: 3 });
  });

  it('removes the audience when it is set to null', () => {
    const targeted = { ...draft, audience: { allOfTags: ['vip'] } };
    expect(applyTemplateUpdate(targeted, { audience: null }, 'now')).not.toHaveProperty('audience');
  });

  it('refuses any change to an ended template', () => {
    expect(() => applyTemplateUpdate({ ...draft, status: 'ended' }, { name: 'x' }, 'now')).toThrow(ConflictError);
  });
});

describe('CreateTemplateInput', () => {
  it('fills the defaults a back office would expect', () => {
    const parsed = CreateTemplateInput.parse(templateInput({ perUserLimit: undefined }));
    expect(parsed).toMatchObject({ perUserLimit: 1, scope: {}, stacking: { type: 'group', group: 'default' }, returnOnRefund: true });
  });

  it('normalises timestamps with offsets to UTC', () => {
    const parsed = CreateTemplateInput.parse(templateInput({ validity: { type: 'fixed', from: '2026-01-01T01:00:00+01:00', until: '2026-02-01T00:00:00Z' } }));
    expect(parsed.validity).toEqual({ type: 'fixed', from: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' });
  });

  it.each([
    ['fractional money', { effect: { type: 'amount_off', amountOff: 4.99 } }, 'effect.amountOff'],
    ['percent above 100%', { effect: { type: 'percent_off', percentOffBps: 10_001 } }, 'effect.percentOffBps'],
    ['lowercase currency', { currency: 'eur' }, 'currency'],
    ['validity that ends before it starts', { validity: { type: 'fixed', from: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' } }, 'validity.until'],
    ['too many shards', { stock: { total: 10, shards: 65 } }, 'stock.shards'],
    ['negative stock', { stock: { total: -1 } }, 'stock.total'],
  ])('refuses %s', (_label, override, path) => {
    const result = CreateTemplateInput.safeParse(templateInput(override));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
