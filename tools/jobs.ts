import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultSettings, withSettings } from '../lib/config';
import { createContainer, type LifecycleJob, lifecycleJobs } from '../lib/container';
import { toEpochMs } from '../lib/time';

/**
 * `npm run jobs -- expire|remind|archive|index [--now <ISO time>]`: runs one lifecycle job once against the
 * stack `npm start` runs (it reads .local/stack.json), with the same container the schedules use. With
 * --now the job acts as of that instant (a fixed clock: what expires, which reminders are due, what is
 * old enough to archive), so a day's work can be replayed or tried ahead. `index` gives coupons written
 * before the lifecycle index their index key (once, after an upgrade).
 */
const JOBS: readonly LifecycleJob[] = ['expire', 'remind', 'archive', 'index'];

export async function runJobCli(args: readonly string[], stackFile = '.local/stack.json'): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { now: { type: 'string' }, table: { type: 'string' }, region: { type: 'string' }, 'archive-bucket': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const job = positionals[0] as LifecycleJob | undefined;
  if (!job || !JOBS.includes(job) || positionals.length > 1) throw new Error(`usage: npm run jobs -- ${JOBS.join('|')} [--now <ISO time>]`);
  const nowMs = values.now === undefined ? undefined : toEpochMs(values.now);
  if (nowMs !== undefined && Number.isNaN(nowMs)) throw new Error(`--now must be an ISO 8601 time, got "${values.now}"`);
  const container = createContainer(values.table ? deployedSettings(values.table, values.region, values['archive-bucket']) : localSettings(stackFile));
  try {
    return await lifecycleJobs(container)[job](nowMs);
  } finally {
    container.clients.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runJobCli(process.argv.slice(2)).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}

/** The stack `npm start` runs, as it described itself in .local/stack.json. */
export function localSettings(stackFile: string) {
  if (!existsSync(stackFile)) throw new Error(`${stackFile} not found: start the local stack first (npm start), or name a deployed table with --table`);
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { dynamodbEndpoint: string; tableName: string; s3Endpoint: string; archiveBucket: string };
  return withSettings(defaultSettings, { tableName: stack.tableName, endpoints: { dynamodb: stack.dynamodbEndpoint, s3: stack.s3Endpoint }, lifecycle: { archiveBucket: stack.archiveBucket } });
}

/** A deployed stage (--table, --region, --archive-bucket), with the credentials of the shell: for the one-off `index` after an upgrade. */
function deployedSettings(tableName: string, region: string | undefined, archiveBucket: string | undefined) {
  return withSettings(defaultSettings, { tableName, ...(region ? { region } : {}), ...(archiveBucket ? { lifecycle: { archiveBucket } } : {}) });
}
