import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ENDED_STATUSES } from '../../lib/campaigns/campaign';
import type { SettingsOverrides } from '../../lib/config';
import { type LocalStack, startLocalStack } from '../../tools/local/stack';
import { createTestTable, scanAll, type TestTable } from './dynamodb';
import { type RunningApi, startLocalApi, tokens } from './local-api';

export interface CampaignStack {
  readonly table: TestTable;
  readonly stack: LocalStack;
  readonly api: RunningApi;
  readonly admin: string;
  readonly eventsFile: string;
  /** Polls the campaign until it has ended (completed, cancelled or failed), or until `until` holds. */
  waitForCampaign(campaignId: string, until?: (progress: any) => boolean): Promise<any>;
  campaignCoupons(campaignId: string): Promise<Record<string, unknown>[]>;
  /** The template's stock ledger, as the back office reads it; asserts it balances and that its coupons are as many as it says were issued. */
  expectLedgerBalances(templateId: string): Promise<any>;
  stop(): Promise<void>;
}

/** The whole local stack (synthesized state machine, FIFO queue, worker, HTTP API) on a fresh table, for campaign tests. */
export async function startCampaignStack(prefix: string, options: { settings?: SettingsOverrides; visibilityTimeoutSeconds?: number; workerConcurrency?: number } = {}): Promise<CampaignStack> {
  const table = await createTestTable(prefix);
  const eventsFile = path.join(mkdtempSync(path.join(tmpdir(), `${prefix}-events-`)), 'events.jsonl');
  const stack = await startLocalStack({
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    eventsFile,
    queues: { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1 },
    campaignWaitMs: 200,
    streams: false,
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.workerConcurrency ? { workerConcurrency: options.workerConcurrency } : {}),
  });
  const api = await startLocalApi(stack.api);
  const admin = await tokens.admin();
  const campaignCoupons = async (campaignId: string) => (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.campaignId === campaignId);
  return {
    table,
    stack,
    api,
    admin,
    eventsFile,
    async waitForCampaign(campaignId, until = (progress) => ENDED_STATUSES.includes(progress.status)) {
      for (let i = 0; i < 600; i++) {
        const result = await api.request('GET', `/v1/admin/campaigns/${campaignId}`, { token: admin });
        if (result.status === 200 && until(result.body)) return result.body;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`campaign ${campaignId} did not get there`);
    },
    campaignCoupons,
    async expectLedgerBalances(templateId) {
      // Chunks that drew units before a cancel finish on their own: wait until none holds any.
      let ledger = await api.request('GET', `/v1/admin/templates/${templateId}/ledger`, { token: admin });
      for (let i = 0; i < 100 && ledger.body.campaigns?.some((c: { inFlight: number }) => c.inFlight > 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ledger = await api.request('GET', `/v1/admin/templates/${templateId}/ledger`, { token: admin });
      }
      expect(ledger.status).toBe(200);
      expect(ledger.body.checks.filter((check: { ok: boolean }) => !check.ok)).toEqual([]);
      expect(ledger.body.balanced).toBe(true);
      const coupons = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.templateId === templateId);
      expect(coupons.length).toBe(ledger.body.issued.total);
      return ledger.body;
    },
    async stop() {
      await api.close();
      await stack.stop();
    },
  };
}
