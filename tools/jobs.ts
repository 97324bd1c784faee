import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultSettings, withSettings } from '../lib/config';
import { createContainer, type LifecycleJob, lifecycleJobs } from '../lib/container';
import { toEpochMs } from '../lib/time';

/**
 * `npm run jobs -- expire|remind|archive [--now <ISO time>]`: runs one lifecycle job once against the
 * stack `npm start` runs (it reads .local/stack.json), with the same container the schedules use. With
 * --now the job acts as of that instant (a fixed clock: what expires, which reminders are due, what is
 * old enough to archive), so a day's work can be replayed or tried ahead.
 */
const JOBS: readonly LifecycleJob[] = ['expire', 'remind', 'archive'];

export async function runJobCli(args: readonly string[], stackFile = '.local/stack.json'): Promise<unknown> {
  const { values, positionals } = parseArgs({ args: [...args], options: { now: { type: 'string' } }, allowPositionals: true, strict: true });
  const job = positionals[0] as LifecycleJob | undefined;
  if (!job || !JOBS.includes(job) || positionals.length > 1) throw new Error(`usage: npm run jobs -- ${JOBS.join('|')} [--now <ISO time>]`);
  const nowMs = values.now === undefined ? undefined : toEpochMs(values.now);
  if (nowMs !== undefined && Number.isNaN(nowMs)) throw new Error(`--now must be an ISO 8601 time, got "${values.now}"`);
  if (!existsSync(stackFile)) throw new Error(`${stackFile} not found: start the local stack first (npm start)`);
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { dynamodbEndpoint: string; tableName: string; s3Endpoint: string; archiveBucket: string };
  const container = createContainer(
    withSettings(defaultSettings, { tableName: stack.tableName, endpoints: { dynamodb: stack.dynamodbEndpoint, s3: stack.s3Endpoint }, lifecycle: { archiveBucket: stack.archiveBucket } }),
  );
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
