import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { couponApiClient } from '../clients/typescript';
import { signDevToken } from './local/dev-auth';

/**
 * `npm run codes -- export <batchId> > codes.csv`: asks the API for an export link (recorded: who, when)
 * and writes the codes to stdout. `npm run codes -- status <batchId>` prints the batch. Against the
 * local stack by default; a deployed API with --api and --token.
 */
export async function runCodesCli(argv: readonly string[], write: (text: string) => void = (t) => process.stdout.write(t), stackFile = '.local/stack.json'): Promise<void> {
  const { values, positionals } = parseArgs({ args: [...argv], options: { api: { type: 'string' }, token: { type: 'string' } }, allowPositionals: true, strict: true });
  const [command, batchId] = positionals;
  if ((command !== 'export' && command !== 'status') || !batchId) throw new Error('usage: npm run codes -- export|status <batchId> [--api https://... --token <jwt>]');
  const stack = existsSync(stackFile) ? (JSON.parse(readFileSync(stackFile, 'utf8')) as { api: string }) : undefined;
  const api = values.api ?? stack?.api ?? 'http://localhost:3000';
  const token = values.token ?? (values.api ? undefined : await signDevToken({ sub: 'codes-cli', scope: 'coupons/admin' }));
  if (!token) throw new Error('--token is required with --api');
  const client = couponApiClient(api, token);
  const params = { params: { path: { batchId } } };
  if (command === 'status') {
    const read = await client.GET('/v1/admin/code-batches/{batchId}', params);
    if (!read.data) throw new Error(`GET /v1/admin/code-batches/${batchId}: ${read.response.status} ${JSON.stringify(read.error)}`);
    write(`${JSON.stringify(read.data, null, 2)}\n`);
    return;
  }
  const link = await client.POST('/v1/admin/code-batches/{batchId}/exports', params);
  if (!link.data) throw new Error(`POST /v1/admin/code-batches/${batchId}/exports: ${link.response.status} ${JSON.stringify(link.error)}`);
  const response = await fetch(link.data.url);
  if (!response.ok || !response.body) throw new Error(`the export link answered ${response.status}`);
  // Streamed through: ten million codes never sit in memory.
  const decoder = new TextDecoder();
  for await (const chunk of response.body) write(decoder.decode(chunk, { stream: true }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCodesCli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
