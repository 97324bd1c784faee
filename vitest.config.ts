import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file makes its own table.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file at a time: several files start engines of their own (DynamoDB Local, fauxqs, a whole
    // npm start), and on a 2-core CI machine running them side by side turns timing into flakiness.
    fileParallelism: false,
  },
});
