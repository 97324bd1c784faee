import { routes } from '../../lib/api/routes';
import { retryFailedUsers } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const deps = campaignFlowDeps();

export const handler = apiHandler(routes.retryCampaignFailures, async ({ path }) => ({ body: await retryFailedUsers(deps, path.campaignId) }));
