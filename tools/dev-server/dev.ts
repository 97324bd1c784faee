import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot, startDynamoDbLocal } from '../local/dynamodb-local';

/**
 * `npm run dev`: `npm start` that restarts on every change to lib/, functions/ or tools/ while DynamoDB
 * Local keeps running (its tables and data survive the restarts). Any other flag goes to `npm start`.
 */
const args = process.argv.slice(2);
// Flags about DynamoDB Local are ours; the rest go to \`npm start\` on each restart.
const ownFlags = new Set(['--data', '--dynamodb-port']);
const valueOf = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const dataDir = valueOf('--data');
const dynamodbPort = valueOf('--dynamodb-port');
const dynamodb = await startDynamoDbLocal({ ...(dataDir ? { dataDir } : {}), ...(dynamodbPort ? { port: Number(dynamodbPort) } : {}) });
const passOn = args.filter((arg, i) => !ownFlags.has(arg) && !ownFlags.has(args[i - 1] ?? ''));
const server = spawn(
  path.join(repoRoot, 'node_modules/.bin/tsx'),
  ['watch', '--clear-screen=false', '--disable-warning=ExperimentalWarning', 'tools/dev-server/main.ts', '--dynamodb-endpoint', dynamodb.endpoint, ...passOn],
  { cwd: repoRoot, stdio: 'inherit' },
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  await dynamodb.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
server.once('exit', () => void stop());
