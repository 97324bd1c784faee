import { canonicalDuration, DAY_MS, durationMs, startOfUtcDay, toIso, utcDay } from '../time';
import type { TemplateRepository } from '../templates/template-repository';
import { forEachShard, type JobContext, type JobRun, outOfTime } from './job-run';
import type { IndexEntry, LifecycleIndex, Reminder, ReminderProgress, ReminderStore } from './lifecycle-ports';

export interface ReminderDeps extends JobContext {
  readonly index: LifecycleIndex;
  readonly reminders: ReminderStore & ReminderProgress;
  /** Each template's own reminder offsets, for templates that set them (an empty list: no reminders). */
  readonly templateReminderOffsets: () => Promise<ReadonlyMap<string, readonly string[]>>;
  /** Offsets of templates that set none. */
  readonly defaultOffsets: readonly string[];
  /** Days a reminder record is kept (TTL). */
  readonly retentionDays: number;
  /** Runs before this UTC hour send nothing (the day's reminders go out from then on). */
  readonly fromHourUtc: number;
}

export interface ReminderResult {
  readonly day: string;
  /** Reminders recorded by this run (each published once as CouponsExpiringSoon). */
  readonly sent: number;
  /** Users whose reminder for the day and offset an earlier run had already recorded. */
  readonly alreadySent: number;
  readonly finished: boolean;
}

/**
 * The window an offset covers on a day: coupons whose validity ends during the day that starts `offset`
 * after this day starts (P3D on the 10th: coupons ending on the 13th), and not before now. So a coupon
 * is reminded once per offset, on one day, and a user gets one reminder per offset per day however
 * many coupons it lists.
 */
export function reminderWindow(dayStartMs: number, offsetMs: number, nowMs: number): { from: string; to: string } | undefined {
  const from = Math.max(dayStartMs + offsetMs, nowMs + 1);
  const to = dayStartMs + offsetMs + DAY_MS - 1;
  return from > to ? undefined : { from: toIso(from), to: toIso(to) };
}

/**
 * For each offset in use (the platform's default and every template's own), every user with at least
 * one available coupon in the offset's window today gets one reminder listing those coupons. Each
 * reminder is a conditional write keyed by user, day and offset, so a run that crashed midway, a second
 * run and overlapping runs all end with exactly one reminder per user, offset and day; the stream
 * publishes each as CouponsExpiringSoon and counts it in the statistics.
 */
export async function sendReminders(deps: ReminderDeps, run: JobRun): Promise<ReminderResult> {
  const day = utcDay(run.nowMs);
  const result = { day, sent: 0, alreadySent: 0, finished: true };
  if (new Date(run.nowMs).getUTCHours() < deps.fromHourUtc) return result;
  const own = await deps.templateReminderOffsets();
  const offsetsOf = canonicalOffsets(deps.defaultOffsets, own);
  const inUse = new Set([...offsetsOf.fallback, ...[...offsetsOf.byTemplate.values()].flat()]);
  const retainUntil = Math.floor((run.nowMs + deps.retentionDays * DAY_MS) / 1000);
  for (const offset of inUse) {
    const window = reminderWindow(startOfUtcDay(run.nowMs), durationMs(offset)!, run.nowMs);
    if (!window) continue;
    const remindsOf = (entry: IndexEntry) => (offsetsOf.byTemplate.get(entry.templateId) ?? offsetsOf.fallback).includes(offset);
    await forEachShard(async (shard) => {
      if (!result.finished || (await deps.reminders.isDone(day, offset, shard))) return;
      // A user's coupons share one shard (the index is spread by user), so the shard's window holds all of them.
      const byUser = new Map<string, IndexEntry[]>();
      for await (const page of deps.index.expiring(shard, window, deps.pageSize)) {
        for (const entry of page) {
          if (!remindsOf(entry)) continue;
          const held = byUser.get(entry.userId);
          if (held) held.push(entry);
          else byUser.set(entry.userId, [entry]);
        }
      }
      const outcomes = await Promise.all(
        [...byUser].map(([userId, entries]) =>
          deps.writes(async () => {
            if (outOfTime(deps, run)) return 'out-of-time' as const;
            return deps.reminders.record(reminderFor(userId, day, offset, entries, toIso(run.nowMs)), retainUntil);
          }),
        ),
      );
      result.sent += outcomes.filter((o) => o === 'recorded').length;
      result.alreadySent += outcomes.filter((o) => o === 'already-recorded').length;
      if (outcomes.includes('out-of-time')) result.finished = false;
      else await deps.reminders.markDone(day, offset, shard, retainUntil);
    });
  }
  return result;
}

const reminderFor = (userId: string, day: string, offset: string, entries: readonly IndexEntry[], createdAt: string): Reminder => ({
  userId,
  day,
  offset,
  coupons: [...entries].sort((a, b) => a.validUntil.localeCompare(b.validUntil) || a.couponId.localeCompare(b.couponId)).map(({ couponId, templateId, name, validUntil }) => ({ couponId, templateId, name, validUntil })),
  createdAt,
});

/** Offsets in one spelling each (P1D and PT24H are one reminder), per template and for templates that set none. */
function canonicalOffsets(fallback: readonly string[], own: ReadonlyMap<string, readonly string[]>) {
  const canonical = (offsets: readonly string[]) => [...new Set(offsets.map((o) => canonicalDuration(durationMs(o)!)))];
  return { fallback: canonical(fallback), byTemplate: new Map([...own].map(([templateId, offsets]) => [templateId, canonical(offsets)])) };
}

/** Every template's own reminder offsets (templates that set none are left out: the platform's default applies). */
export async function reminderOffsetsOfTemplates(templates: Pick<TemplateRepository, 'list'>): Promise<Map<string, readonly string[]>> {
  const offsets = new Map<string, readonly string[]>();
  let cursor: string | undefined;
  do {
    const page = await templates.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const template of page.items) if (template.reminders) offsets.set(template.id, template.reminders);
    cursor = page.nextCursor;
  } while (cursor);
  return offsets;
}
