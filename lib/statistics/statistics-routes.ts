import { defineRoutes } from '../http/route';
import { TemplateIdPath } from '../templates/template-schema';
import { TemplateStatisticsView } from './statistics';

/** Back office: a template's numbers. */
export const statisticsRoutes = defineRoutes({
  getTemplateStatistics: {
    method: 'GET',
    path: '/v1/admin/templates/{templateId}/stats',
    entry: 'functions/statistics/get-template-statistics.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'Issued / available / locked / used / expired now, and lock, use, release and return totals',
    request: { path: TemplateIdPath },
    response: { status: 200, schema: TemplateStatisticsView, description: 'The template\'s statistics' },
    errors: [404],
  },
});
