import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { freePort, repoRoot } from '../tools/local/dynamodb-local';
import { EXTERNAL_MODULES } from '../infra/constructs/coupon-function';

/** A benchmark's numeric parameters from its command line (`npm run bench:x -- --users 200000`), with defaults. */
export function benchArgs<T extends Record<string, number>>(defaults: T): T {
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: 'string' as const }])), strict: true });
  return Object.fromEntries(
    Object.entries(defaults).map(([name, fallback]) => {
      const raw = values[name];
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
      return [name, value];
    }),
  ) as T;
}

/** Counts the requests a client sends (each is one DynamoDB round trip). */
export function countRoundTrips(client: DynamoDBDocumentClient): { readonly count: number; reset(): void } {
  let count = 0;
  client.middlewareStack.add((next) => async (args) => {
    count++;
    return next(args);
  }, { step: 'initialize', name: 'roundTripCounter' });
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/**
 * An item's size by DynamoDB's documented rules: attribute names plus values; strings and binary by
 * length in bytes, numbers about 1 byte per 2 significant digits + 1, booleans and nulls 1 byte, lists
 * and maps 3 bytes + 1 per element + their contents.
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  const marshalled = marshall(item, { removeUndefinedValues: true }) as Record<string, unknown>;
  const valueSize = (value: Record<string, unknown>): number => {
    const [type, inner] = Object.entries(value)[0]!;
    switch (type) {
      case 'S':
        return Buffer.byteLength(inner as string);
      case 'N': {
        const digits = String(inner).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
        return Math.ceil(Math.max(1, digits.length) / 2) + 1;
      }
      case 'BOOL':
      case 'NULL':
        return 1;
      case 'L':
        return 3 + (inner as Record<string, unknown>[]).reduce((sum, v) => sum + 1 + valueSize(v), 0);
      case 'M':
        return 3 + Object.entries(inner as Record<string, Record<string, unknown>>).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
      case 'SS':
        return (inner as string[]).reduce((sum, s) => sum + Buffer.byteLength(s), 0);
      default:
        return Buffer.byteLength(JSON.stringify(inner));
    }
  };
  return Object.entries(marshalled).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value as Record<string, unknown>), 0);
}

/** Write units by AWS's rules: 1 per KB (rounded up) per item; transactional writes cost twice that. */
export const writeUnits = (sizeBytes: number, transactional: boolean): number => Math.ceil(sizeBytes / 1024) * (transactional ? 2 : 1);

export interface LatencySummary {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** Runs `total` operations with `concurrency` in flight; latencies in ms. */
export async function measure(total: number, concurrency: number, operation: (i: number) => Promise<unknown>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await operation(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count: total, seconds, perSecond: total / seconds, p50: pick(0.5), p99: pick(0.99) };
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Bundles a function entry as the CDK app does (esbuild, minified, CJS, node22, SDK external) and returns the bundle path and size. */
export function bundleLikeCdk(entry: string, outFile: string): { file: string; bytes: number } {
  execFileSync(path.join(repoRoot, 'node_modules/.bin/esbuild'), [
    path.join(repoRoot, entry),
    '--bundle',
    '--minify',
    '--platform=node',
    '--format=cjs',
    '--target=node22',
    ...EXTERNAL_MODULES.map((name) => `--external:${name}`),
    `--outfile=${outFile}`,
    '--log-level=warning',
  ]);
  return { file: outFile, bytes: readFileSync(outFile).length };
}

/** Median wall time (ms) of starting Node to run `args`, over `runs` runs. */
export function medianStartMs(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function machineLine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, DynamoDB Local 1.25 in-memory`;
}

/** Replaces (or appends) the section between `<!-- name -->` markers in bench/RESULTS.md. */
export function writeResultsSection(name: string, markdown: string): void {
  const file = path.join(repoRoot, 'bench/RESULTS.md');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nEach section is rewritten by the command it names. Ratios are measured within one run; absolute numbers drift on shared machines.\n';
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
}

/** fauxqs (SQS and S3) in a process of its own, so that what it stores does not weigh on the bench process's heap. Stopped when the bench exits. */
export async function startFauxqsProcess(): Promise<string> {
  const port = await freePort();
  const fauxqs = spawn(process.execPath, ['--input-type=module', '-e', `const { startFauxqs } = await import('fauxqs'); await startFauxqs({ port: ${port}, logger: false });`], { cwd: repoRoot, stdio: 'ignore' });
  process.once('exit', () => fauxqs.kill('SIGKILL'));
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(endpoint).then(() => true, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return endpoint;
}

export interface MemoryMeasured {
  readonly items: number;
  readonly seconds: number;
  readonly peakHeapMb: number;
  readonly peakRssMb: number;
}

/**
 * Runs a job that returns how many items it handled, with its time and its peak memory. Run with
 * node --expose-gc (the bench scripts do): the heap is sampled after a collection every 2 s, so its
 * peak is what the job holds, not garbage.
 */
export async function measuredWithMemory(run: () => Promise<number>): Promise<MemoryMeasured> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (the npm bench script does)');
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    collect();
    const memory = process.memoryUsage();
    peakHeap = Math.max(peakHeap, memory.heapUsed);
    peakRss = Math.max(peakRss, memory.rss);
  };
  const sampler = setInterval(sample, 2_000);
  const started = performance.now();
  const items = await run();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  return { items, seconds, peakHeapMb: peakHeap / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
}
