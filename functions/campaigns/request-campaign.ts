import { routes } from '../../lib/api/routes';
import { requestCampaign } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const deps = campaignFlowDeps();

export const handler = apiHandler(routes.requestCampaign, async ({ body }) => ({ body: await requestCampaign(deps, body) }));
