/**
 * The campaign state machine's task states and the function behind each. The CDK construct builds its
 * Task states from this table, and the local runner maps the same state names to the same handler
 * modules, so the definition that runs locally is the one that deploys.
 */
export const campaignSteps = {
  prepare: { state: 'Prepare campaign', entry: 'functions/campaigns/prepare-campaign.ts' },
  enqueue: { state: 'Enqueue audience page', entry: 'functions/campaigns/enqueue-audience-page.ts' },
  check: { state: 'Check progress', entry: 'functions/campaigns/check-progress.ts' },
  complete: { state: 'Complete campaign', entry: 'functions/campaigns/complete-campaign.ts' },
} as const;

export const CAMPAIGN_WORKER_ENTRY = 'functions/campaigns/issue-campaign-coupons.ts';
/** Seconds between progress checks while workers run. */
export const PROGRESS_WAIT_SECONDS = 10;
