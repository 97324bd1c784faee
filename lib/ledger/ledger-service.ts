import type { CampaignRepository } from '../campaigns/campaign-repository';
import type { ChunkRepository } from '../campaigns/chunk-repository';
import type { CodeRepository } from '../codes/code-repository';
import { NotFoundError } from '../errors';
import { EVENT_VERSION } from '../events/event-catalog';
import type { EventSink } from '../events/event-sink';
import type { StatisticsRepository } from '../statistics/statistics-repository';
import type { TemplateRepository } from '../templates/template-repository';
import { type Clock, toIso } from '../time';
import { type StockLedger, stockLedger } from './stock-ledger';

export interface LedgerDeps {
  readonly templates: Pick<TemplateRepository, 'getWithStock' | 'list'>;
  readonly campaigns: Pick<CampaignRepository, 'ofTemplate' | 'get' | 'reservationShards'>;
  readonly chunks: Pick<ChunkRepository, 'totals'>;
  readonly codes: Pick<CodeRepository, 'ofTemplate' | 'batch' | 'shards'>;
  readonly statistics: Pick<StatisticsRepository, 'get'>;
  readonly events: EventSink;
  readonly clock: Clock;
}

/** GET /v1/admin/templates/{id}/ledger: the terms of the stock equation for one template, and whether they balance. */
export async function templateLedger(deps: LedgerDeps, templateId: string): Promise<StockLedger> {
  const found = await deps.templates.getWithStock(templateId);
  if (!found) throw new NotFoundError('template', templateId);
  const campaigns = await Promise.all(
    (await deps.campaigns.ofTemplate(templateId)).map(async ({ campaignId }) => {
      const [campaign, totals, reservation] = await Promise.all([deps.campaigns.get(campaignId), deps.chunks.totals(campaignId), deps.campaigns.reservationShards(campaignId)]);
      return { campaignId, status: campaign!.status, reserved: campaign!.reserved, totals, reservation };
    }),
  );
  const codeBatches = await Promise.all(
    (await deps.codes.ofTemplate(templateId)).map(async (batchId) => {
      const [batch, shards] = await Promise.all([deps.codes.batch(batchId), deps.codes.shards(batchId)]);
      return { batchId, status: batch!.status, reserved: batch!.reserved, shards };
    }),
  );
  const statistics = await deps.statistics.get(templateId);
  return stockLedger({ templateId, added: found.template.stock.total, carriedOver: found.template.stock.carriedOver ?? 0, shards: found.shards, campaigns, codeBatches, couponsCounted: statistics?.counters.issued ?? 0, checkedAt: toIso(deps.clock()) });
}

/** The daily audit: every active template's ledger; StockLedgerImbalanced for each one that does not balance. */
export async function auditStockLedgers(deps: LedgerDeps): Promise<{ checked: number; imbalanced: string[] }> {
  const imbalanced: string[] = [];
  let checked = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.templates.list({ status: 'active', limit: 100, cursor });
    for (const template of page.items) {
      const ledger = await templateLedger(deps, template.id);
      checked++;
      if (ledger.balanced) continue;
      imbalanced.push(template.id);
      const failedChecks = ledger.checks.filter((check) => !check.ok).map((check) => check.name);
      const failed = await deps.events.publish([
        {
          type: 'StockLedgerImbalanced',
          metadata: { id: `ledger:${template.id}:${ledger.checkedAt.slice(0, 10)}`, version: EVENT_VERSION.StockLedgerImbalanced, occurredAt: ledger.checkedAt },
          data: { templateId: template.id, difference: ledger.difference, failedChecks },
        },
      ]);
      if (failed.length > 0) throw new Error(`the event bus did not take StockLedgerImbalanced for ${template.id}`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { checked, imbalanced };
}
