import { requestCampaign } from '../../lib/campaigns/campaign-requests';
import { campaignRoutes } from '../../lib/campaigns/campaign-routes';
import { type Container, campaignDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return apiHandler(campaignRoutes.requestCampaign, async ({ body }) => {
    const { replayed, ...accepted } = await requestCampaign(deps, body);
    return { body: accepted, ...(replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);
