import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi';
import { servedOpenApiDocument } from '../../lib/api/served-openapi';
import { apiTypesFile, generatedApiTypes, generatedServedDocument, servedDocumentFile } from '../../tools/openapi-types';

describe('the typed API client', () => {
  it('is generated from the current routes (run `npm run openapi:types` after changing a route or a schema)', async () => {
    const committed = readFileSync(apiTypesFile, 'utf8');
    expect(committed === (await generatedApiTypes()), 'clients/typescript/api-types.ts is stale: run npm run openapi:types').toBe(true);
  });

  it('is served as the document the routes produce (lib/api/served-document.ts is regenerated with the types)', () => {
    expect(readFileSync(servedDocumentFile, 'utf8') === generatedServedDocument(), 'lib/api/served-document.ts is stale: run npm run openapi:types').toBe(true);
    expect(servedOpenApiDocument()).toEqual(buildOpenApiDocument());
  });
});
