import { templateStatusDeps } from '../../lib/container';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClients } from '../../lib/clients';
import { defaultSettings } from '../../lib/config';
import { parseCorsOrigins } from '../../lib/http/cors';
import { createTable } from '../local/create-table';
import { signDevToken } from '../local/dev-auth';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { LOCAL_ARCHIVE_BUCKET, LOCAL_AUDIENCE_BUCKET } from '../local/local-campaigns';
import { seedDemoTemplates } from '../local/seed';
import { startLocalStack } from '../local/stack';

/**
 * `npm start`: DynamoDB Local and the whole stack (tools/local/stack.ts) with the HTTP API on --port
 * (default 3000), serving the same handlers the CDK app deploys. In memory by default;
 * `-- --data .local/dynamodb` keeps the data between runs; `-- --cors-origins http://localhost:5173` lets
 * a browser app on that origin call the API.
 */
const { values } = parseArgs({
  options: { data: { type: 'string' }, port: { type: 'string' }, 'dynamodb-port': { type: 'string' }, 'dynamodb-endpoint': { type: 'string' }, table: { type: 'string' }, 'cors-origins': { type: 'string' } },
  strict: true,
});
const port = Number(values.port ?? 3000);
const tableName = values.table ?? 'coupons-local';

// `npm run dev` keeps one DynamoDB Local across restarts and passes its endpoint; otherwise start our own.
const dynamodb = values['dynamodb-endpoint']
  ? { endpoint: values['dynamodb-endpoint'], stop: async () => undefined }
  : await startDynamoDbLocal({ dataDir: values.data, ...(values['dynamodb-port'] ? { port: Number(values['dynamodb-port']) } : {}) });
const client = createClients({ ...defaultSettings, endpoints: { dynamodb: dynamodb.endpoint } }).dynamodb();
const created = await createTable(client as never, tableName);

const eventsFile = path.resolve('.local/events.jsonl');
mkdirSync(path.dirname(eventsFile), { recursive: true });
const stack = await startLocalStack({
  dynamodbEndpoint: dynamodb.endpoint,
  tableName,
  eventsFile,
  campaignWaitMs: 1_000,
  // A fresh table's stream is read from its start; an existing one's from now on.
  streams: { from: created ? 'TRIM_HORIZON' : 'LATEST' },
  schedules: true,
  corsOrigins: parseCorsOrigins(values['cors-origins']),
});
const seeded = created ? await seedDemoTemplates(templateStatusDeps(stack.container)) : [];
await new Promise<void>((resolve, reject) => {
  stack.api.once('error', reject);
  stack.api.listen(port, '127.0.0.1', resolve);
});

const base = `http://localhost:${port}`;
// What `npm run campaign`, `npm run codes` and `npm run jobs` need to reach this stack.
writeFileSync(
  path.resolve('.local/stack.json'),
  JSON.stringify({ api: base, s3Endpoint: stack.queues.endpoint, audienceBucket: LOCAL_AUDIENCE_BUCKET, archiveBucket: LOCAL_ARCHIVE_BUCKET, dynamodbEndpoint: dynamodb.endpoint, tableName }, null, 2),
);
const adminToken = await signDevToken({ sub: 'backoffice-dev', scope: 'coupons/admin' });
const userToken = await signDevToken({ sub: 'user-123' });
console.log(`
Coupon platform running at ${base}
  Back-office console: ${base}/console/ (development sign-in)
  DynamoDB Local: ${dynamodb.endpoint} (table ${tableName}, ${values.data ? `data in ${values.data}` : 'in memory'})
  Events (what EventBridge would receive): ${eventsFile}
  SQS and S3 (fauxqs): ${stack.queues.endpoint}, audience bucket ${LOCAL_AUDIENCE_BUCKET}, archive bucket ${LOCAL_ARCHIVE_BUCKET}
  Lifecycle jobs run on their schedules; one on demand: npm run jobs -- expire|remind|archive [--now <ISO time>]
  ${created ? `seeded ${seeded.length} demo templates` : 'table existed: nothing seeded'}

Tokens (make more with: npm run --silent token -- --sub <id> [--scope "coupons/admin"])
  ADMIN=${adminToken}
  USER=${userToken}

Try:
  curl -s ${base}/v1/health
  curl -s ${base}/v1/admin/templates -H "authorization: Bearer $ADMIN"
  curl -s ${base}/v1/templates -H "authorization: Bearer $USER"
  curl -s -X POST ${base}/v1/coupons/claim -H "content-type: application/json" -H "authorization: Bearer $USER" -H "idempotency-key: first-claim" -d '{"templateIds":["${seeded[0] ?? '<templateId>'}"]}'
  curl -s ${base}/v1/coupons -H "authorization: Bearer $USER"
  curl -s ${base}/openapi.json | head -c 300
  npm run campaign -- --template ${seeded[0] ?? '<templateId>'} --users <file with one user id per line>

Ctrl-C stops everything.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  await stack.stop();
  client.destroy();
  await dynamodb.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
