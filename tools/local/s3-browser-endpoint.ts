import { createServer, request as forward } from 'node:http';

/**
 * S3 as a browser meets it: fauxqs behind a small proxy that answers CORS preflights and adds the CORS
 * headers, as the deployed audience bucket's CORS rule does for the console's origin. The local stack
 * gives this address to its S3 client, so the pre-signed links it hands out work from a browser.
 */
export async function startS3BrowserEndpoint(target: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const cors = (origin: string | undefined) => ({ 'access-control-allow-origin': origin ?? '*', 'access-control-expose-headers': 'etag', vary: 'origin' });
  const server = createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors(request.headers.origin), 'access-control-allow-methods': 'GET,PUT,HEAD', 'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*', 'access-control-max-age': '3000' });
      response.end();
      return;
    }
    const proxied = forward({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...cors(request.headers.origin) });
      answer.pipe(response);
    });
    proxied.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
