import { defineConfig } from 'vitest/config';

/** `npm run openapi:examples`: records the API's examples (test/api-examples.record.ts); not part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/api-examples.record.ts'],
    setupFiles: ['test/support/dynamodb-per-file.ts'],
    hookTimeout: 120_000,
  },
});
