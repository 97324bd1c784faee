import { z } from 'zod';
import { defineRoutes } from '../http/route';
import { CampaignIdPath, CampaignProgress as CampaignProgressView, CampaignRequest } from './campaign';

/** Back office: directed issuance to lists of users. */
export const campaignRoutes = defineRoutes({
  requestCampaign: {
    method: 'POST',
    path: '/v1/admin/campaigns',
    entry: 'functions/campaigns/request-campaign.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Send coupons of a template to a list of users (inline up to 10,000, or an S3 object of one id per line); a campaign id never issues twice',
    // 10,000 inline user ids of up to 128 characters; Lambda takes 6 MB synchronous payloads.
    request: { body: CampaignRequest, maxBodyBytes: 2 * 1024 * 1024 },
    response: { status: 202, schema: z.object({ campaignId: z.string(), status: z.literal('requested') }), description: 'Accepted; follow it at GET /v1/admin/campaigns/{campaignId}' },
    errors: [404, 409],
  },
  getCampaign: {
    method: 'GET',
    path: '/v1/admin/campaigns/{campaignId}',
    entry: 'functions/campaigns/get-campaign.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'A campaign\'s status and progress: total, processed, issued, skipped, failed, start and end times',
    request: { path: CampaignIdPath },
    response: { status: 200, schema: CampaignProgressView, description: 'The campaign' },
    errors: [404],
  },
  retryCampaignFailures: {
    method: 'POST',
    path: '/v1/admin/campaigns/{campaignId}/retry-failed',
    entry: 'functions/campaigns/retry-failed-users.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Send every user the campaign gave up on back to the workers',
    request: { path: CampaignIdPath },
    response: { status: 202, schema: z.object({ campaignId: z.string(), retried: z.int() }), description: 'How many users were sent again' },
    errors: [404],
  },
});
