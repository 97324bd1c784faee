import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, repoRoot } from '../../tools/local/dynamodb-local';

/**
 * `npm start`, started as a newcomer would, then stopped with Ctrl-C (SIGINT) or by a process manager
 * (SIGTERM, sent to npm itself): everything it started stops with it.
 */
describe('npm start', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('serves /v1/health with seeded templates, prints no warning, and %s stops DynamoDB Local too', async (signal) => {
    const [port, dynamodbPort] = [await freePort(), await freePort()];
    const child = spawn('npm', ['start', '--', '--port', String(port), '--dynamodb-port', String(dynamodbPort)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as in a terminal: Ctrl-C sends SIGINT to the whole group.
      detached: true,
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
      // This machine's own npm configuration may make npm itself warn; nothing the project prints may.
      const warnings = output.split('\n').filter((line) => /warn/i.test(line) && !line.startsWith('> ') && !line.startsWith('npm warn Unknown user config'));
      expect(warnings).toEqual([]);
    } finally {
      const exited = new Promise<{ code: number | null; by: string | null }>((resolve) => child.once('exit', (code, by) => resolve({ code, by })));
      if (signal === 'SIGINT') process.kill(-child.pid!, 'SIGINT');
      else child.kill('SIGTERM'); // a process manager signals npm alone; npm passes it on, then ends by it
      const { code, by } = await exited;
      expect(code === 0 || by === signal, `exit ${code} ${by}`).toBe(true);
    }
    // The server and DynamoDB Local went down with it: nothing listens on their ports any more.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect(fetch(`http://127.0.0.1:${port}/v1/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${dynamodbPort}`)).rejects.toThrow();
  });
});
