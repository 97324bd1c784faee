import type { Container } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { auditStockLedgers } from '../../lib/ledger/ledger-service';
import { ledgerImbalanceMetric } from '../../lib/topology';

/**
 * Runs daily (EventBridge schedule): checks every active template's stock ledger. Each imbalance is a
 * StockLedgerImbalanced event, and the count is a CloudWatch metric (embedded metric format) with an
 * alarm on it.
 */
export const build = (container: Container) => {
  const deps = container.ledger();
  return async (): Promise<{ checked: number; imbalanced: string[] }> => {
    const result = await auditStockLedgers(deps);
    console.log(
      JSON.stringify({
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: ledgerImbalanceMetric.namespace, Dimensions: [[]], Metrics: [{ Name: ledgerImbalanceMetric.name, Unit: 'Count' }] }] },
        [ledgerImbalanceMetric.name]: result.imbalanced.length,
        level: result.imbalanced.length > 0 ? 'ERROR' : 'INFO',
        message: 'stock ledger audit',
        ...result,
      }),
    );
    return result;
  };
};

export const handler = onLambda(build);
