import * as z from 'zod';
import { defineRoutes } from '../http/route';

const Health = z.object({ status: z.literal('ok'), time: z.string() });

/** Liveness and the API's own description. */
export const systemRoutes = defineRoutes({
  health: {
    method: 'GET',
    path: '/v1/health',
    entry: 'functions/system/health.ts',
    scope: 'public',
    tableAccess: 'none',
    summary: 'Liveness check',
    request: {},
    response: { status: 200, schema: Health, description: 'The service is up' },
  },
  openapi: {
    method: 'GET',
    path: '/openapi.json',
    entry: 'functions/system/openapi.ts',
    scope: 'public',
    tableAccess: 'none',
    summary: 'This API described as OpenAPI 3',
    request: {},
    response: { status: 200, description: 'OpenAPI 3.1 document' },
  },
});
