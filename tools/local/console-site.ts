import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { signDevToken } from './dev-auth';

/**
 * The back-office console on the local stack, at /console/ beside the API (so it calls the API on its
 * own origin): the Vite build of console/, built once a process on first request; `config.json` says
 * "development sign-in"; `dev-sign-in` signs a token for the user and scopes asked (the stand-in for an
 * identity provider, which exists only here).
 */
const CONSOLE_ROOT = path.resolve(import.meta.dirname, '../../console');
const DIST = path.join(CONSOLE_ROOT, 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml' };

let built: Promise<void> | undefined;
/** Builds console/dist with Vite (the same build `npm run console:build` and the CDK app make). */
export function buildConsole(): Promise<void> {
  built ??= import('vite').then(({ build }) => build({ configFile: path.join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'warn' })).then(() => undefined);
  return built;
}

/** Answers requests under /console; false for anything else (the API's). */
export function serveConsole(request: IncomingMessage, response: ServerResponse): boolean {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
  void answer(request, response, url).catch((error: unknown) => {
    console.error('console: unexpected failure', error);
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('console: unexpected failure');
  });
  return true;
}

async function answer(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const rest = url.pathname.slice('/console'.length);
  if (rest === '') {
    response.writeHead(301, { location: '/console/' });
    response.end();
    return;
  }
  if (rest === '/config.json') {
    // No API URL: the API is on the console's own origin (this server, or Vite's dev server proxying to it).
    json(response, 200, { apiUrl: '', signIn: { type: 'development' } });
    return;
  }
  if (rest === '/dev-sign-in' && request.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let asked: { subject?: unknown; scopes?: unknown };
    try {
      asked = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof asked;
    } catch {
      asked = {};
    }
    const subject = typeof asked.subject === 'string' ? asked.subject.trim() : '';
    const scopes = Array.isArray(asked.scopes) ? asked.scopes.filter((scope): scope is string => typeof scope === 'string') : [];
    if (!/^[^#\s]{1,128}$/.test(subject)) {
      json(response, 400, { error: { code: 'INVALID_SUBJECT', message: 'A user name of 1 to 128 characters, no "#" or whitespace' } });
      return;
    }
    json(response, 200, { accessToken: await signDevToken({ sub: subject, ...(scopes.length ? { scope: scopes.join(' ') } : {}), expiresIn: '8h' }) });
    return;
  }
  await buildConsole();
  const file = path.join(DIST, path.normalize(rest === '/' ? '/index.html' : rest));
  const target = file.startsWith(DIST) && existsSync(file) && !file.endsWith(path.sep) ? file : path.join(DIST, 'index.html');
  response.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  response.end(readFileSync(target));
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
