import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type CampaignProgress, ENDED_STATUSES, MAX_INLINE_AUDIENCE } from '../lib/campaigns/campaign';
import { couponApiClient, type paths } from '../clients/typescript';
import { signDevToken } from './local/dev-auth';

/** The audience of a campaign request, as the API's generated types say. */
type CampaignAudience = paths['/v1/admin/campaigns']['post']['requestBody']['content']['application/json']['audience'];

/**
 * `npm run campaign -- --template <id> --users <file>`: starts a campaign against the local stack (or a
 * deployed API with --api and --token), draws a progress bar until it completes, prints the summary.
 */
export interface CliOptions {
  readonly template: string;
  readonly users: string;
  readonly campaign?: string;
  readonly api?: string;
  readonly token?: string;
  /** s3://bucket/key of an audience file already uploaded (deployed API, more than 10,000 users). */
  readonly s3?: string;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly pollMs?: number;
  readonly stackFile?: string;
}

type Progress = CampaignProgress;

export function progressBar(progress: Pick<Progress, 'total' | 'processed'>, width = 30): string {
  const share = progress.total === 0 ? 1 : Math.min(1, progress.processed / progress.total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

export async function runCampaignCli(options: CliOptions, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<Progress> {
  const stack = existsSync(options.stackFile ?? '.local/stack.json') ? (JSON.parse(readFileSync(options.stackFile ?? '.local/stack.json', 'utf8')) as { api: string; s3Endpoint: string; audienceBucket: string }) : undefined;
  const local = !options.api;
  const api = options.api ?? stack?.api ?? 'http://localhost:3000';
  const token = options.token ?? (local ? await signDevToken({ sub: 'campaign-cli', scope: 'coupons/admin' }) : undefined);
  if (!token) throw new Error('--token is required with --api');
  const campaignId = options.campaign ?? `cli-${Date.now()}`;
  const userIds = readFileSync(options.users, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

  let audience: CampaignAudience;
  if (options.s3) {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(options.s3) ?? [];
    if (!bucket || !key) throw new Error('--s3 must look like s3://bucket/key');
    audience = { type: 's3' as const, bucket, key };
  } else if (userIds.length <= MAX_INLINE_AUDIENCE) {
    audience = { type: 'inline' as const, userIds };
  } else if (local && stack) {
    // Larger lists go through S3, as on AWS: here the local S3 of `npm start`.
    const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const key = `audiences/${campaignId}${path.extname(options.users) || '.txt'}`;
    await new Upload({ client: s3, params: { Bucket: stack.audienceBucket, Key: key, Body: readFileSync(options.users) }, partSize: 8 * 1024 * 1024 }).done();
    s3.destroy();
    audience = { type: 's3' as const, bucket: stack.audienceBucket, key };
  } else {
    throw new Error(`more than ${MAX_INLINE_AUDIENCE} users: upload the file to the audience bucket and pass --s3 s3://bucket/key`);
  }

  const client = couponApiClient(api, token);
  const requested = await client.POST('/v1/admin/campaigns', {
    body: {
      campaignId,
      templateId: options.template,
      audience,
      // What is not given takes the API's defaults (lib/campaigns/campaign.ts RateControls).
      rate: { ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.concurrency ? { maxConcurrency: options.concurrency } : {}) },
    },
  });
  if (requested.error) throw new Error(`POST /v1/admin/campaigns: ${requested.response.status} ${JSON.stringify(requested.error)}`);
  write(`campaign ${campaignId}: ${userIds.length.toLocaleString('en-US')} users, template ${options.template}\n`);

  const started = Date.now();
  let progress: Progress | undefined;
  for (;;) {
    const read = await client.GET('/v1/admin/campaigns/{campaignId}', { params: { path: { campaignId } } });
    // 404: not recorded yet, the state machine is starting.
    if (read.data) progress = read.data;
    else if (read.response.status !== 404) throw new Error(`GET /v1/admin/campaigns/${campaignId}: ${read.response.status} ${JSON.stringify(read.error)}`);
    if (progress) {
      const rate = progress.issued / Math.max(0.001, (Date.now() - started) / 1000);
      write(`\r${progressBar(progress)} ${progress.processed.toLocaleString('en-US')}/${progress.total.toLocaleString('en-US')} issued ${progress.issued} skipped ${progress.skipped} failed ${progress.failed} (${Math.round(rate)} coupons/s)`);
      if (ENDED_STATUSES.includes(progress.status)) break;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  write(`\n${progress.status}${progress.reason ? ` (${progress.reason})` : ''}: total ${progress.total}, issued ${progress.issued}, skipped ${progress.skipped}, failed ${progress.failed}, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return progress;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      template: { type: 'string' },
      users: { type: 'string' },
      campaign: { type: 'string' },
      api: { type: 'string' },
      token: { type: 'string' },
      s3: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
    },
    strict: true,
  });
  if (!values.template || !values.users) {
    process.stderr.write('usage: npm run campaign -- --template <templateId> --users <file> [--campaign <id>] [--batch-size 500] [--concurrency 10]\n       [--api https://... --token <jwt> [--s3 s3://bucket/key]]\n');
    process.exit(2);
  }
  runCampaignCli({
    template: values.template,
    users: values.users,
    campaign: values.campaign,
    api: values.api,
    token: values.token,
    s3: values.s3,
    batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
  }).then(
    (progress) => process.exit(progress.status === 'completed' ? 0 : 1),
    (error: unknown) => {
      process.stderr.write(`\n${String(error)}\n`);
      process.exit(1);
    },
  );
}
