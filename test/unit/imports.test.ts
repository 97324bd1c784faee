import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchWriteAll, type CallGate, SendDeadlinePassedError } from '../../lib/dynamodb/batch';
import { eventsFromCouponChange } from '../../lib/events/stream-events';
import { Entity } from '../../lib/entities';
import type { Coupon } from '../../lib/coupons/coupon';
import { issuanceRefusal, countsTowardLimit } from '../../lib/issuance/issuance-policy';
import { linesWithBytes } from '../../lib/imports/line-reader';
import { csvHeader, importedCoupon, importedTemplate, LegacyCouponRecord, legacyCouponId, legacyTemplateId, LegacyTemplateRecord, parseRecordLine } from '../../lib/imports/legacy-records';
import { reconcile, TallyBuilder } from '../../lib/imports/reconciliation';
import { ulidString } from '../../lib/ids';
import { legacyDataSet } from '../../tools/local/legacy-data';

const sample = legacyDataSet({ coupons: 50, users: 10, templates: 3, brokenShare: 0, seed: 5 });
const templateRecord = LegacyTemplateRecord.parse(JSON.parse(sample.templates.split('\n')[0]!));
const template = { ...importedTemplate(templateRecord, '2026-11-01T00:00:00.000Z'), status: 'ended' as const };
const couponRecord = LegacyCouponRecord.parse({ ...[...sample.records.values()][0]!, templateExternalId: templateRecord.externalId, status: 'expired' });

describe('legacy records', () => {
  it('ids come from external ids: ULID-shaped, the same every time, different for different records', () => {
    const ulid = ulidString('an id');
    expect(ulid.safeParse(legacyTemplateId(templateRecord)).success).toBe(true);
    expect(ulid.safeParse(legacyCouponId(couponRecord)).success).toBe(true);
    expect(legacyTemplateId({ externalId: 'a' })).toBe(legacyTemplateId({ externalId: 'a' }));
    expect(legacyTemplateId({ externalId: 'a' })).not.toBe(legacyTemplateId({ externalId: 'b' }));
    // The coupon id's time part is its issue: the wallet lists imported coupons in the order they were issued.
    const earlier = legacyCouponId({ externalId: 'z', issuedAt: '2024-01-01T00:00:00.000Z' });
    const later = legacyCouponId({ externalId: 'a', issuedAt: '2025-01-01T00:00:00.000Z' });
    expect(earlier < later).toBe(true);
  });

  it('a template keeps its status and creation, its shards get what the legacy system did not issue', () => {
    expect(template.stock).toMatchObject({ total: templateRecord.stock.total, carriedOver: templateRecord.stock.issued });
    expect(template.createdAt).toBe(templateRecord.createdAt);
  });

  it('statuses map, dates stay, the rules come from the template; the policy records even an ended template and an expired coupon', () => {
    expect(issuanceRefusal(template, 'import', { nowMs: Date.parse('2030-01-01T00:00:00Z') })).toBeUndefined();
    expect(issuanceRefusal(template, 'campaign', { nowMs: Date.parse('2030-01-01T00:00:00Z') })?.reason).toBe('NOT_ACTIVE');
    expect(countsTowardLimit({ claimable: true }, 'import')).toBe(true);
    expect(countsTowardLimit({ claimable: false }, 'import')).toBe(false);
    const coupon = importedCoupon(template, couponRecord);
    expect(coupon).toMatchObject({ status: 'expired', issuedAt: couponRecord.issuedAt, legacyUpdatedAt: couponRecord.updatedAt, effect: template.effect, source: 'import', expiredAt: coupon.validUntil });
    const frozen = importedCoupon(template, LegacyCouponRecord.parse({ ...couponRecord, status: 'frozen', orderId: 'o-1' }));
    expect(frozen).toMatchObject({ status: 'locked', orderId: 'o-1' });
  });

  it('an invalid line says its line, field and reason', () => {
    expect(parseRecordLine(LegacyCouponRecord, '{"externalId":"x"', 7, 'jsonl')).toMatchObject({ ok: false, invalid: { line: 7, field: '(line)' } });
    expect(parseRecordLine(LegacyCouponRecord, JSON.stringify({ ...couponRecord, status: 'used', orderId: undefined }), 3, 'jsonl')).toMatchObject({ ok: false, invalid: { line: 3, externalId: couponRecord.externalId, field: 'orderId' } });
    expect(parseRecordLine(LegacyCouponRecord, '   ', 4, 'jsonl')).toBeUndefined();
    const header = csvHeader('externalId,userId,templateExternalId,status,issuedAt,updatedAt');
    expect(parseRecordLine(LegacyCouponRecord, 'c-1,u-1,t-1,unused,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z', 2, 'csv', header)).toMatchObject({ ok: true });
    expect(parseRecordLine(LegacyCouponRecord, 'c-1,u-1,t-1', 2, 'csv', header)).toMatchObject({ ok: false, invalid: { field: '(line)' } });
    expect(() => csvHeader('externalId,colour')).toThrow(/unknown columns/);
  });

  it('lines are cut with their exact byte lengths, whatever the chunks and characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')), { maxLength: 20 }), fc.integer({ min: 1, max: 7 }), async (lines, chunk) => {
        const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
        async function* chunks() {
          for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
        }
        const read: Array<{ text: string; bytes: number }> = [];
        for await (const line of linesWithBytes(chunks())) read.push(line);
        expect(read.map((line) => line.text)).toEqual(lines);
        expect(read.reduce((sum, line) => sum + line.bytes, 0)).toBe(bytes.length);
      }),
    );
  });
});

describe('reconciliation', () => {
  const coupon = fc.record({ templateId: fc.constantFrom('t1', 't2'), status: fc.constantFrom('available', 'used'), externalId: fc.string({ minLength: 1, maxLength: 8 }), userId: fc.string({ minLength: 1, maxLength: 8 }) });
  const tallyOf = (coupons: ReadonlyArray<{ templateId: string; status: string; externalId: string; userId: string }>) => {
    const builder = new TallyBuilder();
    for (const c of coupons) builder.add(c);
    return builder.settled();
  };

  it('is equal for the same coupons in any order and split any way, and differs when one changes holder or status or goes missing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(coupon, { minLength: 1, maxLength: 40, selector: (c) => c.externalId }), fc.nat(), (coupons, seed) => {
        const shuffled = [...coupons].sort((a, b) => ((a.externalId.charCodeAt(0) * 31 + seed) % 7) - ((b.externalId.charCodeAt(0) * 31 + seed) % 7));
        const half = Math.floor(shuffled.length / 2);
        const parts = new TallyBuilder();
        parts.addTally(tallyOf(shuffled.slice(0, half)));
        parts.addTally(tallyOf(shuffled.slice(half)));
        expect(reconcile(tallyOf(coupons), parts.settled(), 'now').equal).toBe(true);
        const [first, ...rest] = coupons;
        expect(reconcile(tallyOf(coupons), tallyOf(rest), 'now').equal).toBe(false);
        expect(reconcile(tallyOf(coupons), tallyOf([{ ...first!, userId: `${first!.userId}x` }, ...rest]), 'now').equal).toBe(false);
        expect(reconcile(tallyOf(coupons), tallyOf([{ ...first!, status: first!.status === 'used' ? 'available' : 'used' }, ...rest]), 'now').equal).toBe(false);
      }),
    );
  });
});

describe('events of imported coupons', () => {
  const coupon = importedCoupon(template, LegacyCouponRecord.parse({ ...couponRecord, status: 'unused' })) as Coupon;
  const change = (kind: 'insert' | 'modify', after: Coupon, before?: Coupon) => ({ kind, entity: Entity.coupon, after, ...(before ? { before } : {}), eventId: 'e', sequenceNumber: '1', at: '2026-11-01T00:00:00.000Z' });

  it('an import or a dual write publishes nothing (the legacy system announced it); a change made on the platform does', () => {
    expect(eventsFromCouponChange(change('insert', coupon))).toEqual([]);
    const usedInLegacy = { ...coupon, status: 'used' as const, orderId: 'o', legacyUpdatedAt: '2027-01-01T00:00:00.000Z' };
    expect(eventsFromCouponChange(change('modify', usedInLegacy, coupon))).toEqual([]);
    const lockedHere = { ...coupon, status: 'locked' as const, orderId: 'o' };
    expect(eventsFromCouponChange(change('modify', lockedHere, coupon)).map((event) => event.type)).toEqual(['CouponLocked']);
  });
});

describe('the write window of an import part', () => {
  it('no blind write is sent once the window is over: the batch throws, and calls that got their slot in time were sent', async () => {
    const sent: number[] = [];
    let now = 1_000;
    const client = { send: async (command: { input: { RequestItems: Record<string, unknown[]> } }) => (sent.push(command.input.RequestItems.t!.length), {}) } as unknown as DynamoDBDocumentClient;
    const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: { pk: `p${i}`, sk: 's' } } }));
    // One call at a time; the clock passes the window while the second waits for its slot.
    const gate: CallGate = async (call) => {
      const result = await call();
      now += 600;
      return result;
    };
    const writing = batchWriteAll(client, 't', requests, { maxAttempts: 1, baseDelayMs: 1, inFlight: oneAtATime(gate), sendBefore: { atMs: 2_000, now: () => now } });
    await expect(writing).rejects.toBeInstanceOf(SendDeadlinePassedError);
    expect(sent).toEqual([25, 25]);
  });
});

/** Runs calls one after another through `gate`. */
function oneAtATime(gate: CallGate): CallGate {
  let chain: Promise<unknown> = Promise.resolve();
  return (call) => {
    const run = chain.then(() => gate(call));
    chain = run.catch(() => undefined);
    return run;
  };
}
