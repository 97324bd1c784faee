import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { addTemplateStock } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.addTemplateStock, async ({ path, body, idempotencyKey }) => ({
  body: await addTemplateStock(deps, path.templateId, body.quantity, idempotencyKey),
}));
