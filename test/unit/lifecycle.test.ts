import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, settingsFromEnvironment } from '../../lib/config';
import { archiveObject, couponsInObject } from '../../lib/lifecycle/archival';
import { reminderWindow } from '../../lib/lifecycle/reminders';
import { lifecycleIndexKeyOf } from '../../lib/coupons/coupon-item';
import { applyTemplateUpdate, newTemplate } from '../../lib/templates/template';
import { CreateTemplateInput, UpdateTemplateInput } from '../../lib/templates/template-schema';
import { canonicalDuration, DAY_MS, durationMs, toEpochMs } from '../../lib/time';
import { templateInput } from '../support/fixtures';

describe('reminder offsets', () => {
  it.each([
    ['P3D', 3 * DAY_MS],
    ['P1W', 7 * DAY_MS],
    ['PT12H', 12 * 3_600_000],
    ['P1DT6H', 30 * 3_600_000],
    ['PT90M', 90 * 60_000],
  ])('%s is a fixed-length duration', (duration, ms) => {
    expect(durationMs(duration)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1M', 'P1Y', 'P1.5D', '3D', 'P-1D', 'p3d', 'P1DT'])('%s is refused (empty, variable-length, or not ISO 8601)', (duration) => {
    expect(durationMs(duration)).toBeUndefined();
  });

  it('spells each length one way, which reads back as the same length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 * 24 * 60 }), (minutes) => {
        const spelled = canonicalDuration(minutes * 60_000);
        expect(durationMs(spelled)).toBe(minutes * 60_000);
      }),
    );
    expect(canonicalDuration(durationMs('PT24H')!)).toBe('P1D');
  });

  it('are validated on templates: at most five, distinct, above zero, at most P90D; null goes back to the default and [] turns them off', () => {
    expect(CreateTemplateInput.safeParse(templateInput({ reminders: ['P3D', 'P1D'] })).success).toBe(true);
    expect(CreateTemplateInput.safeParse(templateInput({ reminders: [] })).success).toBe(true);
    for (const bad of [['P1M'], ['P91D'], ['PT0M'], ['P1D', 'PT24H'], ['P1D', 'P2D', 'P3D', 'P4D', 'P5D', 'P6D'], 'P3D']) {
      expect(CreateTemplateInput.safeParse(templateInput({ reminders: bad })).success, JSON.stringify(bad)).toBe(false);
    }
    const template = newTemplate(CreateTemplateInput.parse(templateInput({ reminders: ['P3D'] })), 'tpl', '2026-01-01T00:00:00.000Z');
    const active = { ...template, status: 'active' as const };
    expect(applyTemplateUpdate(active, UpdateTemplateInput.parse({ reminders: ['P7D'] }), 'now').reminders).toEqual(['P7D']);
    expect(applyTemplateUpdate(active, UpdateTemplateInput.parse({ reminders: null }), 'now')).not.toHaveProperty('reminders');
    expect(applyTemplateUpdate(active, UpdateTemplateInput.parse({ reminders: [] }), 'now').reminders).toEqual([]);
  });
});

describe('lifecycle settings from the environment', () => {
  it('read the default reminder offsets, the retention and the archive bucket, and refuse offsets a template could not have', () => {
    const settings = settingsFromEnvironment({ TABLE_NAME: 't', REMINDER_OFFSETS: 'P2D, PT12H', ARCHIVE_RETENTION_DAYS: '90', ARCHIVE_BUCKET: 'archive' });
    expect(settings.lifecycle).toMatchObject({ defaultReminderOffsets: ['P2D', 'PT12H'], retentionDays: 90, archiveBucket: 'archive' });
    expect(settingsFromEnvironment({ TABLE_NAME: 't' }).lifecycle.defaultReminderOffsets).toEqual(['P3D', 'P1D']);
    // Set but empty: no reminders by default (the variable counts as unset only when absent).
    expect(settingsFromEnvironment({ TABLE_NAME: 't', REMINDER_OFFSETS: '' }).lifecycle.defaultReminderOffsets).toEqual([]);
    expect(() => settingsFromEnvironment({ TABLE_NAME: 't', REMINDER_OFFSETS: 'P1M' })).toThrow(ConfigurationError);
    expect(() => settingsFromEnvironment({ TABLE_NAME: 't', REMINDER_OFFSETS: 'P91D' })).toThrow(/REMINDER_OFFSETS/);
  });
});

describe('reminder windows', () => {
  const day = toEpochMs('2026-05-10T00:00:00Z');

  it('cover the day that starts one offset after the run\'s day, from now on', () => {
    expect(reminderWindow(day, 3 * DAY_MS, day + 9 * 3_600_000)).toEqual({ from: '2026-05-13T00:00:00.000Z', to: '2026-05-13T23:59:59.999Z' });
    // A short offset's window starts at now when now is past its start, and is gone once the day it covers has passed.
    expect(reminderWindow(day, 3_600_000, day + 9 * 3_600_000)).toEqual({ from: '2026-05-10T09:00:00.001Z', to: '2026-05-11T00:59:59.999Z' });
    expect(reminderWindow(day - 5 * DAY_MS, 3_600_000, day)).toBeUndefined();
  });

  it('of one offset on consecutive days never overlap, so a coupon is reminded once per offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 * 24 }), fc.integer({ min: 0, max: 23 }), (offsetHours, hour) => {
        const offset = offsetHours * 3_600_000;
        const today = reminderWindow(day, offset, day + hour * 3_600_000);
        const tomorrow = reminderWindow(day + DAY_MS, offset, day + DAY_MS + hour * 3_600_000);
        if (today && tomorrow) expect(today.to < tomorrow.from).toBe(true);
      }),
    );
  });
});

describe('lifecycle index keys', () => {
  const coupon = { userId: 'u-1', id: 'c-1', validUntil: '2026-03-01T00:00:00.000Z', usedAt: '2026-02-01T10:00:00.000Z', expiredAt: '2026-03-01T00:15:00.000Z' };

  it('put a coupon that can be used under EXPIRES by its validity, and a settled one under SETTLED by when it settled, in the same shard', () => {
    const available = lifecycleIndexKeyOf({ ...coupon, status: 'available' });
    expect(available.gsi2pk).toMatch(/^EXPIRES#\d{2}$/);
    expect(available.gsi2sk).toBe('2026-03-01T00:00:00.000Z#c-1');
    expect(lifecycleIndexKeyOf({ ...coupon, status: 'locked' })).toEqual(available);
    expect(lifecycleIndexKeyOf({ ...coupon, status: 'used' }).gsi2sk).toBe('2026-02-01T10:00:00.000Z#c-1');
    const expired = lifecycleIndexKeyOf({ ...coupon, status: 'expired' });
    expect(expired.gsi2sk).toBe('2026-03-01T00:15:00.000Z#c-1');
    expect(expired.gsi2pk.slice('SETTLED#'.length)).toBe(available.gsi2pk.slice('EXPIRES#'.length));
  });
});

describe('archive objects', () => {
  it('read back as the coupons written, with a checksum of their bytes', () => {
    const coupons = Array.from({ length: 3 }, (_, i) => ({ id: `c-${i}`, userId: 'u', templateId: 't', status: 'expired' }) as never);
    const object = archiveObject('coupons/day=2026-01-01/template=t/b.jsonl.gz', '2026-01-01', 't', coupons);
    expect(object.count).toBe(3);
    expect(object.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(couponsInObject(object.body)).toEqual(coupons);
  });
});
