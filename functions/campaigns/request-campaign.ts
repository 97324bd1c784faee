import { requestCampaign } from '../../lib/campaigns/campaign-requests';
import { campaignRoutes } from '../../lib/campaigns/campaign-routes';
import type { Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = container.campaigns();
  return apiHandler(campaignRoutes.requestCampaign, async ({ body }) => ({ body: await requestCampaign(deps, body) }));
};

export const handler = onLambda(build);
