import { type Container, ledgerDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { auditStockLedgers } from '../../lib/ledger/ledger-service';
import { logger } from '../../lib/observability';
import { BusinessMetric } from '../../lib/telemetry';

/**
 * Runs daily (EventBridge schedule): checks every active template's stock ledger. Each imbalance is a
 * StockLedgerImbalanced event, and the count is a CloudWatch metric (EMF through Powertools) with an
 * alarm on it.
 */
export const build = (container: Container) => {
  const deps = ledgerDeps(container);
  const { telemetry } = container;
  return async (): Promise<{ checked: number; imbalanced: string[] }> => {
    const result = await auditStockLedgers(deps);
    telemetry.count(BusinessMetric.stockLedgerImbalances, result.imbalanced.length);
    if (result.imbalanced.length > 0) logger.error('stock ledgers do not balance', { ...result });
    else logger.info('stock ledger audit', { ...result });
    return result;
  };
};

export const handler = onLambda(build);
