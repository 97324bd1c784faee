import { type Container, statisticsRepository } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { getTemplateStatistics } from '../../lib/statistics/statistics-repository';
import { statisticsRoutes } from '../../lib/statistics/statistics-routes';

export const build = (container: Container) => {
  const statistics = statisticsRepository(container);
  return apiHandler(statisticsRoutes.getTemplateStatistics, async ({ path }) => ({ body: await getTemplateStatistics(statistics, path.templateId) }));
};

export const handler = onLambda(build);
