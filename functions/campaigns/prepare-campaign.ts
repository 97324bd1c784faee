import { prepareCampaign } from '../../lib/campaigns/campaign-steps';
import { type Container, campaignDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/** State "Prepare campaign": its input is the CampaignRequested event the rule matched. */
export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return (event: { detail: { data: unknown } }) => prepareCampaign(deps, event.detail.data);
};

export const handler = onLambda(build);
