import { type Container, importDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { bucketFiles } from '../../lib/imports/import';
import { importRoutes } from '../../lib/imports/import-routes';
import { startImport } from '../../lib/imports/import-service';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = importDeps(container);
  return apiHandler(importRoutes.startImport, async ({ identity, body }) => {
    const { job, replayed } = await startImport(deps, { importId: body.importId, ...bucketFiles(body), dryRun: body.dryRun, startedBy: identity.subject });
    return { body: { importId: job.importId, status: job.status }, ...(replayed ? { status: 200, headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);
