import { routes } from '../../lib/api/routes';
import { campaignProgress } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const deps = campaignFlowDeps();

export const handler = apiHandler(routes.getCampaign, async ({ path }) => ({ body: await campaignProgress(deps, path.campaignId) }));
