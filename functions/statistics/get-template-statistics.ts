import { routes } from '../../lib/api/routes';
import { statisticsRepository } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { getTemplateStatistics } from '../../lib/statistics/statistics-repository';

const statistics = statisticsRepository();

export const handler = apiHandler(routes.getTemplateStatistics, async ({ path }) => ({ body: await getTemplateStatistics(statistics, path.templateId) }));
