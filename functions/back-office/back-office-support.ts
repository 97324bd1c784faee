import { createAudienceUpload } from '../../lib/campaigns/audience-uploads';
import { campaignRoutes } from '../../lib/campaigns/campaign-routes';
import { type Container, audienceUploadDeps, walletDeps } from '../../lib/container';
import { walletRoutes } from '../../lib/coupons/wallet-routes';
import { listWallet } from '../../lib/coupons/wallet-service';
import { apiHandler, routeDispatcher } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

/** The back office's support function: a user's wallet by user id, and links to upload campaign audiences. */
export const build = (container: Container) =>
  routeDispatcher([
    [walletRoutes.listUserCoupons, apiHandler(walletRoutes.listUserCoupons, async ({ path, query }) => ({ body: await listWallet(walletDeps(container), path.userId, query) }))],
    [campaignRoutes.createAudienceUpload, apiHandler(campaignRoutes.createAudienceUpload, async ({ body }) => ({ body: await createAudienceUpload(audienceUploadDeps(container), body) }))],
  ]);

export const handler = onLambda(build);
