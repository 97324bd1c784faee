import { checkProgress } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';

const deps = campaignFlowDeps();

export const handler = (state: { campaignId: string }) => checkProgress(deps, state);
