import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from '../../lib/container';
import { signDevToken } from '../../tools/local/dev-auth';
import { createLocalApi } from '../../tools/local/local-api';

export interface RunningApi {
  readonly baseUrl: string;
  request(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** The local HTTP API (as `npm start` serves it) on a free loopback port: a new one with this container, or the stack's server. */
export async function startLocalApi(from: Container | Server): Promise<RunningApi> {
  const server = 'listen' in from ? from : createLocalApi({ container: from });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    async request(method, path, options = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined || options.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the test sees the text
      }
      return { status: response.status, body, headers: response.headers };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const tokens = {
  admin: () => signDevToken({ sub: 'backoffice-test', scope: 'coupons/admin' }),
  orders: () => signDevToken({ sub: 'order-service-test', scope: 'coupons/orders' }),
  importer: () => signDevToken({ sub: 'legacy-shop-test', scope: 'coupons/import' }),
  user: (sub: string) => signDevToken({ sub }),
};
