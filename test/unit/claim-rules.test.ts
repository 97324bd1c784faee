import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../lib/audience/circuit-breaker';
import { claimRefusal } from '../../lib/claims/eligibility';
import { claimRequestHash } from '../../lib/claims/claim-service';
import { allocateFromKnownStock, pickRandomShard } from '../../lib/claims/stock-allocation';
import { TemplateCache } from '../../lib/claims/template-cache';
import { newTemplate } from '../../lib/templates/template';
import { CreateTemplateInput } from '../../lib/templates/template-schema';
import { templateInput } from '../support/fixtures';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const template = (overrides: Record<string, unknown> = {}, status: 'draft' | 'active' | 'paused' | 'ended' = 'active') => ({
  ...newTemplate(CreateTemplateInput.parse(templateInput(overrides)), '01HZZZZZZZZZZZZZZZZZZZZZZZ', '2026-01-01T00:00:00.000Z'),
  status,
});

describe('claimRefusal', () => {
  it.each([
    ['a draft', template({}, 'draft'), 1, [], 'NOT_ACTIVE'],
    ['a paused template', template({}, 'paused'), 1, [], 'NOT_ACTIVE'],
    ['before the claim window', template({ claimWindow: { from: '2026-06-02T00:00:00Z' } }), 1, [], 'CLAIM_NOT_STARTED'],
    ['after the claim window', template({ claimWindow: { until: '2026-06-01T11:59:59Z' } }), 1, [], 'CLAIM_ENDED'],
    ['after a fixed validity ended', template({ validity: { type: 'fixed', from: '2026-01-01T00:00:00Z', until: '2026-05-01T00:00:00Z' } }), 1, [], 'CLAIM_ENDED'],
    ['more than the per-user limit at once', template({ perUserLimit: 2 }), 3, [], 'LIMIT_REACHED'],
    ['a user without the required tags', template({ audience: { allOfTags: ['vip', 'eu'] } }), 1, ['vip'], 'NOT_ELIGIBLE'],
    ['a user with none of the any-of tags', template({ audience: { anyOfTags: ['student', 'teacher'] } }), 1, ['vip'], 'NOT_ELIGIBLE'],
    ['tags that cannot be read, for a targeted template', template({ audience: { allOfTags: ['vip'] } }), 1, 'unavailable', 'NOT_ELIGIBLE'],
  ] as const)('refuses %s', (_label, t, quantity, tags, reason) => {
    expect(claimRefusal(t, { nowMs: NOW, quantity, tags })?.reason).toBe(reason);
  });

  it.each([
    ['an open template', template(), 1, []],
    ['inside the claim window', template({ claimWindow: { from: '2026-06-01T00:00:00Z', until: '2026-06-02T00:00:00Z' } }), 1, []],
    ['up to the per-user limit', template({ perUserLimit: 3 }), 3, []],
    ['a user with every required tag', template({ audience: { allOfTags: ['vip'], anyOfTags: ['eu', 'us'] } }), 1, ['us', 'vip']],
    ['an untargeted template when tags cannot be read', template(), 1, 'unavailable'],
  ] as const)('allows %s', (_label, t, quantity, tags) => {
    expect(claimRefusal(t, { nowMs: NOW, quantity, tags })).toBeUndefined();
  });
});

describe('stock allocation', () => {
  const shardsArbitrary = fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 16 }).map((values) => values.map((available, shard) => ({ shard, available })));

  it('takes exactly the quantity, never more than a shard holds, or reports the total short', () => {
    fc.assert(
      fc.property(shardsArbitrary, fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (shards, quantity, r) => {
        const takes = allocateFromKnownStock(shards, quantity, () => r);
        const total = shards.reduce((sum, s) => sum + s.available, 0);
        if (total < quantity) {
          expect(takes).toBeUndefined();
          return;
        }
        expect(takes!.reduce((sum, t) => sum + t.quantity, 0)).toBe(quantity);
        for (const take of takes!) {
          expect(take.quantity).toBeGreaterThan(0);
          expect(take.quantity).toBeLessThanOrEqual(shards[take.shard]!.available);
        }
        expect(new Set(takes!.map((t) => t.shard)).size).toBe(takes!.length);
      }),
    );
  });

  it('picks a random shard that is not known to be empty', () => {
    expect(pickRandomShard(4, new Set([0, 1, 3]), 1, () => 0.99)).toEqual([{ shard: 2, quantity: 1 }]);
    expect(pickRandomShard(2, new Set([0, 1]), 1, Math.random)).toBeUndefined();
  });
});

describe('TemplateCache', () => {
  it('reads a template once per TTL, and forgets stock hints after the TTL', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TemplateCache(async () => (loads++, template()), 100, () => now);
    await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')]);
    expect(loads).toBe(1);
    cache.markSoldOut('a');
    cache.recordShards('a', [{ shard: 0, available: 0 }, { shard: 1, available: 3 }]);
    expect(cache.isSoldOut('a')).toBe(true);
    expect([...cache.emptyShards('a')]).toEqual([0]);
    now = 150;
    await cache.get('a');
    expect(loads).toBe(2);
    expect(cache.isSoldOut('a')).toBe(false);
    expect(cache.emptyShards('a').size).toBe(0);
  });
});

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, fails fast while open, and closes after a good trial call', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ timeoutMs: 20, failureThreshold: 2, openMs: 1_000 }, () => now);
    const failing = () => Promise.reject(new Error('down'));
    await expect(breaker.call(failing)).rejects.toThrow('down');
    await expect(breaker.call(() => new Promise((resolve) => setTimeout(resolve, 200)))).rejects.toThrow(/within 20 ms/);
    expect(breaker.state).toBe('open');
    let called = false;
    await expect(breaker.call(async () => (called = true))).rejects.toThrow(CircuitOpenError);
    expect(called).toBe(false);
    now = 1_000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.call(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});

describe('claimRequestHash', () => {
  it('is the same for the same templates in any order, and differs for a different multiset', () => {
    expect(claimRequestHash(['A', 'B', 'A'])).toBe(claimRequestHash(['B', 'A', 'A']));
    expect(claimRequestHash(['A', 'B'])).not.toBe(claimRequestHash(['A', 'B', 'B']));
  });
});
