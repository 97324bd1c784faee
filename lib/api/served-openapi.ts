import { gunzipSync } from 'node:zlib';
import { servedDocumentGzipBase64 } from './served-document';

/**
 * The OpenAPI document as the openapi function serves it: generated from the route tables by
 * `npm run openapi:types` and stored gzipped (lib/api/served-document.ts, checked against the routes by
 * test/unit/api-client.test.ts), so the function does not carry, or run, every route's schema.
 */
export const servedOpenApiDocument = (): unknown => JSON.parse(gunzipSync(Buffer.from(servedDocumentGzipBase64, 'base64')).toString('utf8'));
