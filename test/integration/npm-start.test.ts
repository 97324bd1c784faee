import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot } from '../../tools/local/dynamodb-local';

// One file, so that its tests run one after another: each \`npm start\` writes .local/stack.json, which
// \`npm run campaign\` reads to find the stack.
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
      // Serving, and the banner it prints once listening has come through the pipe.
      const up = () => health?.ok && output.includes('Ctrl-C stops everything.');
      while (Date.now() < deadline && !up()) {
        if (!health?.ok) health = await fetch(`http://127.0.0.1:${port}/v1/health`).catch(() => undefined);
        if (!up()) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health?.status, output).toBe(200);
      expect(output).toContain('seeded 4 demo templates');
      const adminToken = /ADMIN=(\S+)/.exec(output)?.[1];
      const list = await fetch(`http://127.0.0.1:${port}/v1/admin/templates?status=active`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(1);
      // This machine's own npm configuration may make npm itself warn; nothing the project prints may.
      const warnings = output.split('\n').filter((line) => /warn/i.test(line) && !line.startsWith('> ') && !/^npm warn Unknown (user|env) config/.test(line));
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

/**
 * The README's walk-through, run as written (its bash block, word for word) against `npm start`: every
 * curl answers what the README says (the status in its trailing comment, else a 2xx), the campaign
 * to 10,000 users completes with the ledger balanced, and a code batch is generated, exported and redeemed.
 */
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const walkThrough = /## Walk-through with curl[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

/** Each curl of the block in order, with the status the README promises. */
const promised = walkThrough
  .split('\n')
  .filter((line) => /(^|\$\()curl /.test(line.trim()))
  .map((line) => Number(/#\s*(\d{3})\b/.exec(line)?.[1] ?? 0));

describe("the README's walk-through", () => {
  let server: ReturnType<typeof spawn>;
  let port: number;
  let output = '';
  beforeAll(async () => {
    port = await freePort();
    server = spawn('npm', ['start', '--', '--port', String(port), '--dynamodb-port', String(await freePort())], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const health = await fetch(`http://127.0.0.1:${port}/v1/health`).catch(() => undefined);
      if (health?.ok) break;
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 120_000);
  afterAll(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(-server.pid!, 'SIGINT');
    await exited;
    rmSync(path.join(repoRoot, 'users.txt'), { force: true });
  });

  it('has a block to run, with curls that promise statuses', () => {
    expect(promised.length).toBeGreaterThan(20);
    expect(promised.filter((status) => status >= 400).length).toBeGreaterThanOrEqual(3);
  });

  it('answers every curl as the README says, and runs the campaign to completion with the ledger balanced', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'walkthrough-'));
    const statuses = path.join(work, 'statuses');
    // curl as the README calls it, with each answer's status noted on the side.
    const prelude = `set -eo pipefail
curl() { local out; out=$(command curl -w '\\n%{http_code}' "$@"); echo "\${out##*$'\\n'}" >> ${JSON.stringify(statuses)}; printf '%s\\n' "\${out%$'\\n'*}"; }
`;
    const script = prelude + walkThrough.replace('API=http://localhost:3000', `API=http://127.0.0.1:${port}`);
    writeFileSync(path.join(work, 'walkthrough.sh'), script);
    const run = spawnSync('bash', [path.join(work, 'walkthrough.sh')], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
    const transcript = `${run.stdout}\n${run.stderr}`;
    expect(run.status, transcript).toBe(0);
    const answered = readFileSync(statuses, 'utf8').trim().split('\n').map(Number);
    expect(answered.length, transcript).toBe(promised.length);
    answered.forEach((status, i) => {
      if (promised[i]) expect(status, `curl #${i + 1}\n${transcript}`).toBe(promised[i]);
      else expect(status >= 200 && status < 300, `curl #${i + 1} answered ${status}\n${transcript}`).toBe(true);
    });
    expect(transcript).toMatch(/completed: total 10000, issued 10000/);
    expect(transcript).toContain('"balanced":true');
    // The code batch: generated by the local worker, exported by the CLI, one code redeemed for a coupon.
    expect(transcript).toMatch(/"source":"code"/);
    expect(transcript).toMatch(/"redeemed": 1,[\s\S]*"exported": 1,/);
    // The import CLI wrote the sample's valid coupons, the table matches the source, and the dual write took the newer version.
    expect(transcript).toMatch(/"importId":"legacy-1","status":"completed"[\s\S]*"coupons":\{"read":1000,"created":988,"updated":0,"unchanged":0,"invalid":12\}[\s\S]*"reconciliation":\{"equal":true/);
    expect(transcript).toMatch(/"outcome":"written"/);
    // The expiry job, run by `npm run jobs` as of a month on, expired the campaign's coupons among others.
    expect(Number(/"expired": (\d+)/.exec(transcript)?.[1])).toBeGreaterThanOrEqual(10_000);
    rmSync(work, { recursive: true, force: true });
  }, 600_000);
});

describe('npm run dev', () => {
  it('restarts the stack on a change to the code while DynamoDB Local, and its data, keep running', async () => {
    const [port, dynamodbPort] = [await freePort(), await freePort()];
    const child = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--dynamodb-port', String(dynamodbPort)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const starts = () => output.split('Coupon platform running').length - 1;
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 90_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`${label}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    try {
      await until(() => starts() === 1, 'no first start');
      const admin = { authorization: `Bearer ${/ADMIN=(\S+)/.exec(output)?.[1]}`, 'content-type': 'application/json' };
      const created = await fetch(`http://127.0.0.1:${port}/v1/admin/templates`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'survives a reload', currency: 'EUR', effect: { type: 'amount_off', amountOff: 100 }, validity: { type: 'relative', days: 7 }, stock: { total: 10 } }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const touched = path.join(repoRoot, 'lib/http/cors.ts');
      utimesSync(touched, new Date(), new Date());
      await until(() => starts() === 2, 'no restart after a change');
      expect(output).toContain('table existed: nothing seeded');
      const deadline = Date.now() + 30_000;
      let again: Response | undefined;
      while (Date.now() < deadline && !again?.ok) {
        again = await fetch(`http://127.0.0.1:${port}/v1/admin/templates/${id}`, { headers: admin }).catch(() => undefined);
        if (!again?.ok) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(again?.status, output).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect(fetch(`http://127.0.0.1:${dynamodbPort}`)).rejects.toThrow();
  }, 150_000);
});
