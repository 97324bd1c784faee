import type { Template } from '../templates/template';
import type { Clock } from '../time';

interface Entry {
  readonly template: Template | undefined;
  readonly loadedAt: number;
}

interface StockHints {
  soldOutAt?: number;
  readonly emptyShards: Map<number, number>;
}

/**
 * The claim path's in-process view of templates. Templates are read at most once per TTL per Lambda
 * environment; stock hints (a shard seen empty, the template seen sold out) live as long, so a sold-out
 * flash template is refused without a write, and a restock is seen within one TTL.
 */
export class TemplateCache {
  private readonly entries = new Map<string, Promise<Entry>>();
  private readonly hints = new Map<string, StockHints>();

  constructor(
    private readonly load: (templateId: string) => Promise<Template | undefined>,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async get(templateId: string): Promise<Template | undefined> {
    const now = this.clock();
    const cached = this.entries.get(templateId);
    if (cached) {
      const entry = await cached;
      if (now - entry.loadedAt < this.ttlMs) return entry.template;
    }
    // Concurrent requests for the same template share one read.
    const loading = this.load(templateId).then((template) => ({ template, loadedAt: this.clock() }));
    this.entries.set(templateId, loading);
    loading.catch(() => this.entries.delete(templateId));
    return (await loading).template;
  }

  private hintsOf(templateId: string): StockHints {
    let hints = this.hints.get(templateId);
    if (!hints) {
      hints = { emptyShards: new Map() };
      this.hints.set(templateId, hints);
    }
    return hints;
  }

  private fresh(at: number | undefined): boolean {
    return at !== undefined && this.clock() - at < this.ttlMs;
  }

  isSoldOut(templateId: string): boolean {
    return this.fresh(this.hints.get(templateId)?.soldOutAt);
  }

  markSoldOut(templateId: string): void {
    this.hintsOf(templateId).soldOutAt = this.clock();
  }

  emptyShards(templateId: string): Set<number> {
    const hints = this.hints.get(templateId);
    const empty = new Set<number>();
    for (const [shard, at] of hints?.emptyShards ?? []) if (this.fresh(at)) empty.add(shard);
    return empty;
  }

  /** Records what a consistent read of the shards showed: empty ones are hinted, others cleared. */
  recordShards(templateId: string, shards: ReadonlyArray<{ shard: number; available: number }>): void {
    const hints = this.hintsOf(templateId);
    for (const { shard, available } of shards) {
      if (available <= 0) hints.emptyShards.set(shard, this.clock());
      else hints.emptyShards.delete(shard);
    }
  }
}
