import { listCampaigns } from '../../lib/campaigns/campaign-requests';
import { campaignRoutes } from '../../lib/campaigns/campaign-routes';
import { type Container, campaignDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return apiHandler(campaignRoutes.listCampaigns, async ({ query }) => ({ body: await listCampaigns(deps, query) }));
};

export const handler = onLambda(build);
