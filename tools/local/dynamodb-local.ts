import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** DynamoDB Local (the real engine, in Java) ships inside this npm package; we start the jar ourselves. */
const emulatorDir = path.join(repoRoot, 'node_modules', 'amplify-dynamodb-simulator', 'emulator');

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts DynamoDB Local on loopback. In memory unless `dataDir` is given, then it keeps its data there.
 * `-sharedDb` makes every credential/region pair see the same tables.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string; quiet?: boolean } = {}): Promise<DynamoDbLocal> {
  const jar = path.join(emulatorDir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local not found at ${jar}: run "npm install" first`);
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', ensureDir(options.dataDir)] : ['-inMemory'];
  const child = spawn(
    'java',
    ['-Xmx1g', `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`, '-jar', jar, ...storage, '-sharedDb', '-disableTelemetry', '-port', String(port)],
    // It writes a metadata file into its working directory: keep that out of the checkout.
    { stdio: options.quiet === false ? 'inherit' : 'ignore', cwd: tmpdir() },
  );
  // If this process dies without stopping it (a crash, an uncaught error), the JVM must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`DynamoDB Local exited early with code ${code}`))));
  exited.catch(() => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitUntilServing(endpoint), exited]);
  return { endpoint, port, stop: () => stopChild(child) };
}

function ensureDir(dir: string): string {
  const absolute = path.resolve(dir);
  mkdirSync(absolute, { recursive: true });
  return absolute;
}

async function waitUntilServing(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
