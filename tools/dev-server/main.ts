import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../../lib/clients';
import { createTable } from '../local/create-table';
import { signDevToken } from '../local/dev-auth';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { createLocalApi } from '../local/local-api';
import { seedDemoTemplates } from '../local/seed';
import { startStreamPoller } from '../local/stream-poller';
import { LOCAL_AUDIENCE_BUCKET, startLocalCampaigns } from '../local/local-campaigns';
import { startLocalEventBridge } from '../local/local-eventbridge';

/**
 * `npm start`: DynamoDB Local + the HTTP API on PORT (default 3000), serving the same handlers the CDK
 * app deploys. In memory by default; `-- --data .local/dynamodb` keeps the data between runs.
 */
const { values } = parseArgs({
  options: { data: { type: 'string' }, port: { type: 'string' }, 'dynamodb-port': { type: 'string' } },
  strict: true,
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const tableName = process.env.TABLE_NAME ?? 'coupons-local';

const dynamodb = await startDynamoDbLocal({
  dataDir: values.data,
  ...(values['dynamodb-port'] ?? process.env.DYNAMODB_PORT ? { port: Number(values['dynamodb-port'] ?? process.env.DYNAMODB_PORT) } : {}),
});
// Handlers read their configuration from the environment, as on Lambda; set it before the first handler loads.
const eventsFile = path.resolve('.local/events.jsonl');
mkdirSync(path.dirname(eventsFile), { recursive: true });
// The `coupons` event bus, locally: handlers publish with the real EventBridge client to this endpoint.
const bus = await startLocalEventBridge({ eventsFile });
Object.assign(process.env, { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamodb.endpoint, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', EVENTBRIDGE_ENDPOINT: bus.endpoint });
delete process.env.EVENTS_FILE;
// SQS and S3 (fauxqs), the campaign worker and the campaign state machine, on the bus's CampaignRequested rule.
const campaigns = await startLocalCampaigns({ bus, waitMs: 1_000 });

const documentClient = createDocumentClient({ endpoint: dynamodb.endpoint });
const created = await createTable(documentClient as never, tableName);
const seeded = created ? await seedDemoTemplates(documentClient, tableName) : [];

// The stream publisher function, driven from DynamoDB Local's stream as Lambda would drive it.
const { handler: publishStreamEvents } = await import('../../functions/events/publish-stream-events');
const { handler: updateStatistics } = await import('../../functions/statistics/update-statistics');
const { handler: releaseExpiredLocks } = await import('../../functions/orders/release-expired-locks');
// Two event source mappings on the one stream, each with its own position, as on AWS.
const from = created ? 'TRIM_HORIZON' : 'LATEST';
const pollers = [
  await startStreamPoller({ endpoint: dynamodb.endpoint, tableName, handler: publishStreamEvents as never, from }),
  await startStreamPoller({ endpoint: dynamodb.endpoint, tableName, handler: updateStatistics as never, from }),
];
// The every-minute schedule of the lock releaser.
const releaser = setInterval(() => void releaseExpiredLocks().catch((error: unknown) => console.error('lock releaser:', error)), 60_000);

const server = createLocalApi();
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});

const base = `http://localhost:${port}`;
// What `npm run campaign` needs to reach this stack.
writeFileSync(path.resolve('.local/stack.json'), JSON.stringify({ api: base, s3Endpoint: campaigns.sqsEndpoint, audienceBucket: LOCAL_AUDIENCE_BUCKET }, null, 2));
const adminToken = await signDevToken({ sub: 'backoffice-dev', scope: 'coupons/admin' });
const userToken = await signDevToken({ sub: 'user-123' });
console.log(`
Coupon platform running at ${base}
  DynamoDB Local: ${dynamodb.endpoint} (table ${tableName}, ${values.data ? `data in ${values.data}` : 'in memory'})
  Events (what EventBridge would receive): ${eventsFile}
  SQS and S3 (fauxqs): ${campaigns.sqsEndpoint}, audience bucket ${LOCAL_AUDIENCE_BUCKET}
  ${created ? `seeded ${seeded.length} demo templates` : 'table existed: nothing seeded'}

Tokens (make more with: npm run --silent token -- --sub <id> [--scope "coupons/admin"])
  ADMIN=${adminToken}
  USER=${userToken}

Try:
  curl -s ${base}/v1/health
  curl -s ${base}/v1/admin/templates -H "authorization: Bearer $ADMIN"
  curl -s ${base}/v1/templates -H "authorization: Bearer $USER"
  curl -s -X POST ${base}/v1/coupons/claim -H "authorization: Bearer $USER" -H "idempotency-key: first-claim" -d '{"templateIds":["${seeded[0] ?? '<templateId>'}"]}'
  curl -s ${base}/v1/coupons -H "authorization: Bearer $USER"
  curl -s ${base}/openapi.json | head -c 300
  npm run campaign -- --template ${seeded[0] ?? '<templateId>'} --users <file with one user id per line>

Ctrl-C stops everything.`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  server.close();
  server.closeAllConnections();
  clearInterval(releaser);
  await Promise.all(pollers.map((poller) => poller.stop()));
  await campaigns.stop();
  await bus.close();
  await dynamodb.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
