import { enqueueAudiencePage, type PageState } from '../../lib/campaigns/campaign-flow';
import { campaignFlowDeps } from '../../lib/composition';

const deps = campaignFlowDeps();

export const handler = (state: PageState) => enqueueAudiencePage(deps, state);
