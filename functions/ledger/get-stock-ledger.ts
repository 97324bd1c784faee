import { type Container, ledgerDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { ledgerRoutes } from '../../lib/ledger/ledger-routes';
import { templateLedger } from '../../lib/ledger/ledger-service';

export const build = (container: Container) => {
  const deps = ledgerDeps(container);
  return apiHandler(ledgerRoutes.getStockLedger, async ({ path }) => ({ body: await templateLedger(deps, path.templateId) }));
};

export const handler = onLambda(build);
