import { defineConfig } from 'vite';

/**
 * The back-office console: a Preact single-page app served under /console/ (by the local stack and by
 * CloudFront). JSX is compiled for Preact by Vite's own transformer; no plugin needed.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/v1': 'http://localhost:3000', '/console/config.json': 'http://localhost:3000', '/console/dev-sign-in': 'http://localhost:3000' } },
  logLevel: 'warn',
});
