import { checkProgress } from '../../lib/campaigns/campaign-steps';
import { type Container, campaignDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return (state: { campaignId: string }) => checkProgress(deps, state);
};

export const handler = onLambda(build);
