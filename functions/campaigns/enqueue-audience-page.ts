import { enqueueAudiencePage, type PageState } from '../../lib/campaigns/campaign-steps';
import { type Container, campaignDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = campaignDeps(container);
  return (state: PageState) => enqueueAudiencePage(deps, state);
};

export const handler = onLambda(build);
