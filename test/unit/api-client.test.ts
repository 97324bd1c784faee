import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypesFile, generatedApiTypes } from '../../tools/openapi-types';

describe('the typed API client', () => {
  it('is generated from the current routes (run `npm run openapi:types` after changing a route or a schema)', async () => {
    const committed = readFileSync(apiTypesFile, 'utf8');
    expect(committed === (await generatedApiTypes()), 'clients/typescript/api-types.ts is stale: run npm run openapi:types').toBe(true);
  });
});
