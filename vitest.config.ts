import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file that needs DynamoDB Local starts its own (test/support/dynamodb-per-file.ts).
    setupFiles: ['test/support/dynamodb-per-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file at a time: several files start engines of their own (DynamoDB Local, fauxqs, a whole
    // npm start), and on a 2-core CI machine running them side by side turns timing into flakiness.
    fileParallelism: false,
  },
});
