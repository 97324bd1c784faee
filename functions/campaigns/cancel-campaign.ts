import { cancelCampaign } from '../../lib/campaigns/campaign-lifecycle';
import { campaignProgress } from '../../lib/campaigns/campaign-requests';
import { campaignRoutes } from '../../lib/campaigns/campaign-routes';
import { type Container, campaignDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return apiHandler(campaignRoutes.cancelCampaign, async ({ path }) => {
    await cancelCampaign(deps, path.campaignId);
    return { body: await campaignProgress(deps, path.campaignId) };
  });
};

export const handler = onLambda(build);
