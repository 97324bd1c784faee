import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CampaignStack, startCampaignStack } from '../support/campaign-stack';
import { templateInput } from '../support/fixtures';

/** Finding 1 of the campaign integrity issue, as found: a campaign whose deadline passes while its chunks are still queued. */
let env: CampaignStack;
beforeAll(async () => {
  env = await startCampaignStack('deadline', { settings: { campaigns: { deadlineHours: 0 } } });
}, 120_000);
afterAll(() => env?.stop());

describe('a campaign past its deadline', () => {
  it('is cancelled with the reason DEADLINE, and the chunks still queued write nothing: stock left + issued = stock added', async () => {
    const created = await env.api.request('POST', '/v1/admin/templates', { token: env.admin, body: templateInput({ stock: { total: 3_000, shards: 4 }, claimable: false }) });
    const templateId = created.body.id;
    await env.api.request('POST', `/v1/admin/templates/${templateId}/status`, { token: env.admin, body: { status: 'active' } });
    const userIds = Array.from({ length: 2_000 }, (_, i) => `dl-${i}`);
    expect((await env.api.request('POST', '/v1/admin/campaigns', { token: env.admin, body: { campaignId: 'late', templateId, audience: { type: 'inline', userIds }, rate: { batchSize: 1, maxConcurrency: 2 } } })).status).toBe(202);

    const ended = await env.waitForCampaign('late');
    expect(ended).toMatchObject({ status: 'cancelled', reason: 'DEADLINE' });
    // Let the queue drain: every chunk still in it arrives and finds the reservation closed.
    let depth = 1;
    for (let i = 0; i < 300 && depth > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      depth = await queueDepth();
    }
    const issued = (await env.campaignCoupons('late')).length;
    const ledger = await env.expectLedgerBalances(templateId);
    expect(ledger.inShards + issued).toBe(3_000);
    expect(await env.waitForCampaign('late')).toMatchObject({ issued, stock: { reserved: 2_000, givenBack: 2_000 - issued, outstanding: 0 } });
  });
});

async function queueDepth(): Promise<number> {
  const { Attributes } = await env.stack.queues.sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.stack.queues.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}
