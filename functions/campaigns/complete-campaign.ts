import { completeCampaign } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';

const deps = campaignFlowDeps();

export const handler = (state: { campaignId: string }) => completeCampaign(deps, state);
