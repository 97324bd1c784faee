import type { IAspect } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { metricsNamespace, serviceName } from '../../lib/topology';
import type { DeploySettings } from '../settings';

/** The variables Powertools reads at cold start (logger level and sampling, metrics namespace, service name). */
export const powertoolsVariables = (settings: Pick<DeploySettings, 'stage' | 'logLevel' | 'debugLogSampleRate'>): Record<string, string> => ({
  POWERTOOLS_SERVICE_NAME: serviceName,
  POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
  POWERTOOLS_LOG_LEVEL: settings.logLevel,
  POWERTOOLS_LOGGER_SAMPLE_RATE: String(settings.debugLogSampleRate),
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  STAGE: settings.stage,
});

/**
 * Gives every Lambda function of the app the same Powertools settings, per stage, in one place: a
 * function added by any construct gets them without asking.
 */
export class PowertoolsEnvironment implements IAspect {
  constructor(private readonly settings: Pick<DeploySettings, 'stage' | 'logLevel' | 'debugLogSampleRate'>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof LambdaFunction)) return;
    for (const [name, value] of Object.entries(powertoolsVariables(this.settings))) node.addEnvironment(name, value);
  }
}
