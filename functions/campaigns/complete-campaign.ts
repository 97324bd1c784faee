import { completeCampaignStep } from '../../lib/campaigns/campaign-steps';
import type { Container } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = container.campaigns();
  return (state: { campaignId: string }) => completeCampaignStep(deps, state);
};

export const handler = onLambda(build);
