import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Telemetry } from './telemetry';
import { metricsNamespace, serviceName } from './topology';

/**
 * Powertools for AWS Lambda, one instance of each per execution environment. Level, sampling and
 * tracing come from the POWERTOOLS_* variables the CDK app sets per stage (Powertools reads them
 * itself); outside Lambda the tracer is off and logs are plain JSON lines.
 */
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName });
export const tracer = new Tracer({ serviceName });

/** Business counts as EMF metrics, flushed with the invocation's other metrics; a count with dimensions is its own EMF line. */
export const powertoolsTelemetry: Telemetry = {
  count(metric, value = 1, dimensions = {}) {
    const names = Object.keys(dimensions);
    if (names.length === 0) {
      metrics.addMetric(metric, MetricUnit.Count, value);
      return;
    }
    const single = metrics.singleMetric();
    for (const name of names) single.addDimension(name, dimensions[name]!);
    single.addMetric(metric, MetricUnit.Count, value);
  },
};
