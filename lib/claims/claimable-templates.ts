import * as z from 'zod';
import type { Template } from '../templates/template';
import type { StockShard, TemplateRepository } from '../templates/template-repository';
import { TemplateView } from '../templates/template-schema';
import type { Clock } from '../time';
import { claimRefusal, hasAudience, type UserTags } from './eligibility';

interface CatalogEntry {
  readonly template: Template;
  readonly remaining: number;
}

/**
 * Active templates with their remaining stock, refreshed at most once per TTL per Lambda environment:
 * listing what a user can claim then costs one Query of their claim counters, not a read per template.
 */
export class ActiveTemplateCatalog {
  private loaded: { at: number; entries: Promise<CatalogEntry[]> } | undefined;

  constructor(
    private readonly templates: Pick<TemplateRepository, 'list' | 'stockShards'>,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  entries(): Promise<CatalogEntry[]> {
    if (!this.loaded || this.clock() - this.loaded.at >= this.ttlMs) {
      const entries = this.load();
      this.loaded = { at: this.clock(), entries };
      entries.catch(() => (this.loaded = undefined));
    }
    return this.loaded.entries;
  }

  private async load(): Promise<CatalogEntry[]> {
    const active: Template[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.templates.list({ status: 'active', limit: 100, cursor });
      active.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const sum = (shards: StockShard[]) => shards.reduce((total, shard) => total + shard.available, 0);
    return Promise.all(active.map(async (template) => ({ template, remaining: sum(await this.templates.stockShards(template.id)) })));
  }
}

export const ClaimableTemplateView = TemplateView.pick({
  id: true,
  name: true,
  description: true,
  currency: true,
  effect: true,
  validity: true,
  claimWindow: true,
  scope: true,
  stacking: true,
  audience: true,
  perUserLimit: true,
}).extend({ claimedByMe: z.int() });
export type ClaimableTemplateView = z.infer<typeof ClaimableTemplateView>;

export interface ClaimableDeps {
  readonly catalog: ActiveTemplateCatalog;
  readonly claimCounts: (userId: string) => Promise<Map<string, number>>;
  readonly tags: { tagsOf(userId: string): Promise<UserTags> };
  readonly clock: Clock;
}

/** What this user can claim now: active, inside its claim window, for their audience, not sold out, under their limit. */
export async function listClaimableTemplates(deps: ClaimableDeps, userId: string): Promise<ClaimableTemplateView[]> {
  const [entries, counts] = await Promise.all([deps.catalog.entries(), deps.claimCounts(userId)]);
  const tags: UserTags = entries.some((entry) => hasAudience(entry.template)) ? await deps.tags.tagsOf(userId) : [];
  const nowMs = deps.clock();
  return entries
    .filter(({ template, remaining }) => remaining > 0 && !claimRefusal(template, { nowMs, quantity: (counts.get(template.id) ?? 0) + 1, tags }))
    .map(({ template }) => ({
      id: template.id,
      name: template.name,
      ...(template.description ? { description: template.description } : {}),
      currency: template.currency,
      effect: template.effect,
      validity: template.validity,
      ...(template.claimWindow ? { claimWindow: template.claimWindow } : {}),
      scope: template.scope,
      stacking: template.stacking,
      ...(template.audience ? { audience: template.audience } : {}),
      perUserLimit: template.perUserLimit,
      claimedByMe: counts.get(template.id) ?? 0,
    }));
}
