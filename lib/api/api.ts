import { campaignRoutes } from '../campaigns/campaign-routes';
import { codeRoutes } from '../codes/code-routes';
import { claimRoutes } from '../claims/claim-routes';
import { importRoutes } from '../imports/import-routes';
import { walletRoutes } from '../coupons/wallet-routes';
import { ledgerRoutes } from '../ledger/ledger-routes';
import { archiveRoutes } from '../lifecycle/archive-routes';
import { orderRoutes } from '../orders/order-routes';
import { productRoutes } from '../pricing/product-routes';
import { quoteRoutes } from '../pricing/quote-routes';
import { settingsRoutes } from '../settings/settings-routes';
import { statisticsRoutes } from '../statistics/statistics-routes';
import { systemRoutes } from '../system/system-routes';
import { templateRoutes } from '../templates/template-routes';
import type { RouteDefinition } from '../http/route';

/**
 * The whole HTTP API: every capability's route table. A new capability adds its table here; the CDK app,
 * the local stack and the OpenAPI document pick its routes up from `allRoutes`.
 */
export const routeTables = [systemRoutes, templateRoutes, settingsRoutes, claimRoutes, walletRoutes, quoteRoutes, productRoutes, orderRoutes, statisticsRoutes, ledgerRoutes, campaignRoutes, codeRoutes, importRoutes, archiveRoutes] as const;

/** Every route by its id. */
export const routes = { ...systemRoutes, ...templateRoutes, ...settingsRoutes, ...claimRoutes, ...walletRoutes, ...quoteRoutes, ...productRoutes, ...orderRoutes, ...statisticsRoutes, ...ledgerRoutes, ...campaignRoutes, ...codeRoutes, ...importRoutes, ...archiveRoutes };
export type RouteId = keyof typeof routes;

export const allRoutes: readonly RouteDefinition[] = routeTables.flatMap((table) => Object.values(table) as RouteDefinition[]);

for (const [i, route] of allRoutes.entries()) {
  const twin = allRoutes.findIndex((other) => other.id === route.id || (other.method === route.method && other.path === route.path));
  if (twin !== i) throw new Error(`route ${route.id} (${route.method} ${route.path}) is declared twice`);
}
