import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observed } from '../../lib/lambda';
import { logger } from '../../lib/observability';
import { BusinessMetric, RecordingTelemetry } from '../../lib/telemetry';

const context = { functionName: 'coupons-claim', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:coupons-claim', memoryLimitInMB: '512', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 5_000 } as unknown as Context;
const apiEvent = (requestId: string) => ({ routeKey: 'POST /v1/coupons/claim', requestContext: { requestId } });

/** Powertools writes JSON lines to stdout: each line here is a log entry or an EMF document. */
let lines: Array<Record<string, any>>;
beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        // not JSON: not ours
      }
    }
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const emf = () => lines.filter((line) => line._aws);

describe('the Lambda wiring (Powertools)', () => {
  it('counts a 4xx answer as a refusal by route and code, as an EMF metric in the CouponPlatform namespace', async () => {
    const handler = observed(async () => ({ statusCode: 409, body: JSON.stringify({ error: { code: 'SOLD_OUT', message: 'sold out' } }) }));
    await handler(apiEvent('r-1'), context);
    const refusal = emf().find((doc) => doc[BusinessMetric.requestsRefused] !== undefined);
    expect(refusal).toMatchObject({ code: 'SOLD_OUT', route: 'POST /v1/coupons/claim', service: 'coupons', [BusinessMetric.requestsRefused]: 1 });
    expect(refusal!._aws.CloudWatchMetrics[0].Namespace).toBe('CouponPlatform');
  });

  it('does not count a success or a 5xx as a refusal', async () => {
    await observed(async () => ({ statusCode: 201, body: '{}' }))(apiEvent('r-2'), context);
    await observed(async () => ({ statusCode: 503, body: '{}' }))(apiEvent('r-3'), context);
    expect(emf().filter((doc) => doc[BusinessMetric.requestsRefused] !== undefined)).toEqual([]);
  });

  it('logs with the Lambda context and the API request id as correlation id, and forgets per-request keys', async () => {
    const handler = observed(async (event: { requestContext: { requestId: string } }) => {
      logger.appendKeys({ templateId: event.requestContext.requestId === 'r-4' ? 't-1' : undefined });
      logger.info('claimed');
      return { statusCode: 201, body: '{}' };
    });
    await handler(apiEvent('r-4'), context);
    await handler(apiEvent('r-5'), context);
    const logged = lines.filter((line) => line.message === 'claimed');
    expect(logged[0]).toMatchObject({ level: 'INFO', service: 'coupons', correlation_id: 'r-4', function_name: 'coupons-claim', function_request_id: 'req-1', templateId: 't-1' });
    expect(logged[1]).toMatchObject({ correlation_id: 'r-5' });
    expect(logged[1]!.templateId).toBeUndefined();
  });

  it('takes an SQS message id as the correlation id of a queue batch', async () => {
    await observed(async () => {
      logger.info('chunk');
    })({ Records: [{ messageId: 'm-1' }] }, context);
    expect(lines.find((line) => line.message === 'chunk')).toMatchObject({ correlation_id: 'm-1' });
  });
});

describe('the recording telemetry (local stack, tests)', () => {
  it('sums counts by metric and dimensions', () => {
    const telemetry = new RecordingTelemetry();
    telemetry.count(BusinessMetric.requestsRefused, 1, { code: 'SOLD_OUT' });
    telemetry.count(BusinessMetric.requestsRefused, 2, { code: 'LIMIT_REACHED' });
    telemetry.count(BusinessMetric.couponsClaimed, 3);
    expect(telemetry.total(BusinessMetric.requestsRefused)).toBe(3);
    expect(telemetry.total(BusinessMetric.requestsRefused, { code: 'SOLD_OUT' })).toBe(1);
    expect(telemetry.total(BusinessMetric.couponsClaimed)).toBe(3);
  });
});
