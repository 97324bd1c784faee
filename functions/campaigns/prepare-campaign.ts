import { prepareCampaign } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';

const deps = campaignFlowDeps();

/** State "Prepare campaign": its input is the CampaignRequested event the rule matched. */
export const handler = (event: { detail: { data: unknown } }) => prepareCampaign(deps, event.detail.data);
