import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createClients } from './clients';
import { settingsFromEnvironment } from './config';
import { type Container, createContainer } from './container';
import { logger, metrics, powertoolsTelemetry, tracer } from './observability';
import { BusinessMetric } from './telemetry';

/**
 * The Lambda side of the wiring: one container per execution environment, built from the
 * environment the CDK app set, on the first invocation, with SDK clients the tracer captures and
 * business counts that become EMF metrics. Every entry point in functions/ exports
 * `build(container)` (used as it is by the local stack, tests and benchmarks with their own container)
 * and `handler = onLambda(build)`; this is the one place that adds logging, metrics and tracing.
 */
let container: Container | undefined;
const lambdaContainer = (): Container => {
  if (!container) {
    const settings = settingsFromEnvironment();
    container = createContainer(settings, { clients: createClients(settings, { instrument: (client) => tracer.captureAWSv3Client(client) }), telemetry: powertoolsTelemetry });
  }
  return container;
};

/** What identifies one unit of work in the logs: the API request, else the first record's message or event id. */
function correlationIdOf(event: unknown): string | undefined {
  const shape = event as { requestContext?: { requestId?: string }; Records?: Array<{ messageId?: string; eventID?: string }>; id?: string } | undefined;
  return shape?.requestContext?.requestId ?? shape?.Records?.[0]?.messageId ?? shape?.Records?.[0]?.eventID ?? shape?.id;
}

/** An HTTP answer in the 4xx range with our error shape: a refusal, counted by route and code. */
function countRefusal(event: unknown, response: unknown): void {
  const answer = response as { statusCode?: number; body?: string } | undefined;
  if (!answer?.statusCode || answer.statusCode < 400 || answer.statusCode >= 500) return;
  let code = 'UNKNOWN';
  try {
    code = String((JSON.parse(answer.body ?? '{}') as { error?: { code?: string } }).error?.code ?? code);
  } catch {
    // not our JSON: counted as UNKNOWN
  }
  const route = (event as { routeKey?: string }).routeKey ?? 'unknown';
  powertoolsTelemetry.count(BusinessMetric.requestsRefused, 1, { route, code });
}

export function onLambda<E, R>(build: (container: Container) => (event: E, context: Context) => R | Promise<R>) {
  let handler: ((event: E, context: Context) => R | Promise<R>) | undefined;
  return observed<E, R>((event, context) => (handler ??= build(lambdaContainer()))(event, context));
}

/** A handler with the Powertools middlewares: traced, logged with the Lambda context and a correlation id, metrics flushed at the end. */
export function observed<E, R>(handler: (event: E, context: Context) => R | Promise<R>) {
  return middy<E, Awaited<R>, Error, Context>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      before: (request) => {
        const correlationId = correlationIdOf(request.event);
        if (correlationId) logger.setCorrelationId(correlationId);
      },
      after: (request) => countRefusal(request.event, request.response),
    })
    .handler(async (event, context): Promise<Awaited<R>> => await handler(event, context));
}
