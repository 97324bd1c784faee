import { ConflictError } from '../errors';
import type { Audience, ClaimWindow, CreateTemplateInput, Effect, Scope, Stacking, TemplateStatus, UpdateTemplateInput, Validity } from './template-schema';
import { DRAFT_ONLY_FIELDS, MAX_STOCK_SHARDS } from './template-schema';

export interface Template {
  readonly id: string;
  readonly status: TemplateStatus;
  readonly name: string;
  readonly description?: string;
  readonly currency: string;
  readonly effect: Effect;
  readonly validity: Validity;
  readonly claimWindow?: ClaimWindow;
  /**
   * `total` is every unit ever put in stock (initial + added); what is left lives in the shard items.
   * `carriedOver`: of the total, the units a legacy system had already issued when the template was
   * imported (lib/imports); they never were in the shards.
   */
  readonly stock: { readonly total: number; readonly shards: number; readonly carriedOver?: number };
  readonly perUserLimit: number;
  readonly scope: Scope;
  readonly stacking: Stacking;
  readonly audience?: Audience;
  readonly returnOnRefund: boolean;
  /** False for campaign-only templates (see lib/issuance/issuance-policy.ts). */
  readonly claimable: boolean;
  /** Reminder offsets before expiry (ISO 8601 durations); unset: the platform's default; empty: none. */
  readonly reminders?: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * One shard item absorbs about 100 claims/s before transaction conflicts dominate (see
 * docs/data-model.md), so large stocks get more shards by default; small ones stay on few shards so
 * that a nearly sold-out template does not send claims hunting through many empty shards.
 */
export function defaultShardCount(totalStock: number): number {
  return Math.min(16, Math.max(1, Math.ceil(totalStock / 500)));
}

/** Spreads a quantity over shards as evenly as integers allow; the first `quantity % shards` get one more. */
export function splitAcrossShards(quantity: number, shards: number): number[] {
  if (shards < 1 || shards > MAX_STOCK_SHARDS) throw new RangeError(`shards must be 1..${MAX_STOCK_SHARDS}`);
  const base = Math.floor(quantity / shards);
  const extra = quantity % shards;
  return Array.from({ length: shards }, (_, shard) => base + (shard < extra ? 1 : 0));
}

const ALLOWED_TRANSITIONS: Readonly<Record<TemplateStatus, readonly TemplateStatus[]>> = {
  draft: ['active'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended'],
  ended: [],
};

export function assertStatusTransition(from: TemplateStatus, to: TemplateStatus): void {
  if (!ALLOWED_TRANSITIONS[from].includes(to)) {
    throw new ConflictError('INVALID_STATUS_TRANSITION', `A template cannot go from ${from} to ${to}`, {
      currentStatus: from,
      requestedStatus: to,
      allowed: ALLOWED_TRANSITIONS[from],
    });
  }
}

export function newTemplate(input: CreateTemplateInput, id: string, nowIso: string): Template {
  const { stock, ...rest } = input;
  return {
    ...rest,
    id,
    status: 'draft',
    stock: { total: stock.total, shards: stock.shards ?? defaultShardCount(stock.total) },
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

/** Applies a back-office edit. Rules that are copied into issued coupons are frozen once the template leaves draft. */
export function applyTemplateUpdate(template: Template, update: UpdateTemplateInput, nowIso: string): Template {
  if (template.status === 'ended') {
    throw new ConflictError('TEMPLATE_ENDED', 'An ended template cannot be changed', { currentStatus: template.status });
  }
  const frozen = DRAFT_ONLY_FIELDS.filter((field) => update[field] !== undefined);
  if (template.status !== 'draft' && frozen.length > 0) {
    throw new ConflictError('TEMPLATE_RULES_FROZEN', `These fields can change only while the template is a draft: ${frozen.join(', ')}`, {
      currentStatus: template.status,
      fields: frozen,
    });
  }
  const { audience, reminders, ...changes } = update;
  let next: Template = { ...template, ...stripUndefined(changes), updatedAt: nowIso };
  // null removes a field (back to no audience, or to the platform's reminder offsets).
  if (audience === null) {
    const { audience: _removed, ...withoutAudience } = next;
    next = withoutAudience;
  } else if (audience !== undefined) next = { ...next, audience };
  if (reminders === null) {
    const { reminders: _removed, ...withoutReminders } = next;
    next = withoutReminders;
  } else if (reminders !== undefined) next = { ...next, reminders };
  return next;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
