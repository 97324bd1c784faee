import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, repoRoot } from '../../tools/local/dynamodb-local';

/** What `npm start` runs, started as a newcomer would, then stopped with Ctrl-C (SIGINT). */
describe('npm start', () => {
  it('serves /v1/health with seeded templates, and SIGINT stops DynamoDB Local too', async () => {
    const [port, dynamodbPort] = [await freePort(), await freePort()];
    const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['tools/dev-server/main.ts', '--port', String(port), '--dynamodb-port', String(dynamodbPort)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 60_000;
      let health: Response | undefined;
      while (Date.now() < deadline && !health?.ok) {
        health = await fetch(`http://127.0.0.1:${port}/v1/health`).catch(() => undefined);
        if (!health?.ok) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health?.status, output).toBe(200);
      expect(output).toContain('seeded 4 demo templates');
      const adminToken = /ADMIN=(\S+)/.exec(output)?.[1];
      const list = await fetch(`http://127.0.0.1:${port}/v1/admin/templates?status=active`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(1);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
    // DynamoDB Local went down with it: nothing listens on its port any more.
    await expect(fetch(`http://127.0.0.1:${dynamodbPort}`)).rejects.toThrow();
  });
});
