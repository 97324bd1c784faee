import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { allRoutes } from '../../lib/api/api';

// Bundling is skipped here: these tests are about the template, and `npm run synth` bundles for real.
const context = { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://issuer.test/', jwtAudience: 'coupons-api' };

let service: Template;
let data: Template;

beforeAll(() => {
  const built = buildApp({ context });
  service = Template.fromStack(built.service);
  data = Template.fromStack(built.data);
});

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (template: Template, type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);

describe('the data stack', () => {
  it('has one on-demand table with point-in-time recovery, a stream of both images, TTL and deletion protection', () => {
    data.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }],
    });
  });

  it('lets deletion protection be switched off for throwaway environments', () => {
    const built = buildApp({ context: { ...context, deletionProtection: 'false' } });
    Template.fromStack(built.data).hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: [{ DeletionProtectionEnabled: false }] });
  });
});

describe('the HTTP API', () => {
  const routeResources = () => resources(service, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

  it('has exactly the routes of the route table', () => {
    expect(routeResources().map((r) => r.RouteKey).sort()).toEqual(allRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(allRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s has the authorizer and scope its route declares', (routeKey, route) => {
    const properties = routeResources().find((r) => r.RouteKey === routeKey);
    expect(properties).toBeDefined();
    if (route.scope === 'public') {
      expect(properties?.AuthorizationType ?? 'NONE').toBe('NONE');
      return;
    }
    expect(properties?.AuthorizationType).toBe('JWT');
    expect(properties?.AuthorizerId).toBeDefined();
    const expectedScopes = route.scope === 'user' ? undefined : [route.scope];
    expect(properties?.AuthorizationScopes).toEqual(expectedScopes);
  });

  it('uses a JWT authorizer with the deploy-time issuer and audience', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.test/', Audience: ['coupons-api'] },
      IdentitySource: ['$request.header.Authorization'],
    });
  });

  it('throttles the stage and writes access logs', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });
});

const functions = () => resources(service, 'AWS::Lambda::Function').map(([id, r]) => ({ id, ...r.Properties }));

describe('functions', () => {

  it('run Node 22 on arm64 with tracing, each with a log group of bounded retention', () => {
    // one per route; the stream publisher, lock releaser, statistics consumer; four campaign steps and the campaign worker; the ledger audit
    expect(functions()).toHaveLength(allRoutes.length + 9);
    for (const fn of functions()) {
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
    for (const [, logGroup] of resources(service, 'AWS::Logs::LogGroup')) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('get exactly the table access their route declares, and nothing for public routes', () => {
    const policies = resources(service, 'AWS::IAM::Policy').map(([, r]) => r.Properties);
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    for (const route of allRoutes) {
      const logicalId = functions().find((fn) => fn.id.startsWith(`Api${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}Function`))?.id;
      expect(logicalId, route.id).toBeDefined();
      const roleRef = (service.findResources('AWS::Lambda::Function')[logicalId!] as Resource).Properties.Role['Fn::GetAtt'][0];
      const actions = policies
        .filter((p) => p.Roles.some((role: { Ref: string }) => role.Ref === roleRef))
        .flatMap((p) => p.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()))
        .filter((action: string) => action.startsWith('dynamodb:'));
      if (route.tableAccess === 'none') expect(actions, route.id).toEqual([]);
      if (route.tableAccess === 'read') {
        expect(actions, route.id).toContain('dynamodb:Query');
        for (const write of writes) expect(actions, route.id).not.toContain(write);
      }
      if (route.tableAccess === 'readWrite') expect(actions, route.id).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(actions.some((action: string) => action.includes('*')), route.id).toBe(false);
      expect(actions, route.id).not.toContain('dynamodb:Scan');
    }
  });
});

describe('events', () => {
  it('drive the publisher from the table stream, coupon items only, with partial batch failures and a dead-letter queue', () => {
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['coupon'] } } } }) }] },
    });
    service.hasResourceProperties('AWS::Events::EventBus', { Name: 'coupons' });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('let the publisher put events on the bus and read the stream, but not write the table', () => {
    const publisherRole = Object.entries(service.findResources('AWS::Lambda::Function') as Record<string, Resource>).find(([id]) => id.includes('StreamPublisher'))![1]
      .Properties.Role['Fn::GetAtt'][0];
    const actions = resources(service, 'AWS::IAM::Policy')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Roles.some((role: { Ref: string }) => role.Ref === publisherRole))
      .flatMap((p) => p.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions).toContain('events:PutEvents');
    expect(actions).toContain('dynamodb:GetRecords');
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) expect(actions).not.toContain(write);
  });

  it('throttle the claim route on its own', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: { 'POST /v1/coupons/claim': { ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 6000 } },
    });
  });
});

describe('orders and statistics', () => {
  it('release expired locks every minute and keep statistics from the stream', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    const streamMappings = resources(service, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .filter((m) => m.StartingPosition);
    expect(streamMappings).toHaveLength(2);
    for (const mapping of streamMappings) expect(mapping.DestinationConfig.OnFailure.Destination).toBeDefined();
  });
});

describe('campaigns', () => {
  it('queue chunks with a dead-letter queue and a visibility timeout of at least six worker timeouts', () => {
    const worker = functions().find((fn) => fn.id.includes('CampaignsWorker')) as unknown as { Timeout: number };
    const queues = resources(service, 'AWS::SQS::Queue').map(([, r]) => r.Properties);
    const chunks = queues.find((q) => q.RedrivePolicy)!;
    expect(chunks.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(chunks.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 20 } });
  });

  it('start the state machine from CampaignRequested on the coupons bus; the machine logs and traces', () => {
    service.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['coupon-platform.campaigns'], 'detail-type': ['CampaignRequested'] } });
    service.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: { Level: 'ALL' }, TracingConfiguration: { Enabled: true } });
  });

  it('alarm on chunks in the dead-letter queue, on failed executions, on an unbalanced stock ledger and on a failed ledger audit', () => {
    const alarms = resources(service, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'Errors', 'ExecutionsFailed', 'StockLedgerImbalances']);
    expect(alarms.find((a) => a.MetricName === 'StockLedgerImbalances')).toMatchObject({ Namespace: 'CouponPlatform', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('queue chunks in FIFO message groups (lanes), deduplicated and throttled per group, with a FIFO dead-letter queue', () => {
    const queues = resources(service, 'AWS::SQS::Queue').map(([, r]) => r.Properties);
    const chunks = queues.find((q) => q.RedrivePolicy)!;
    expect(chunks).toMatchObject({ FifoQueue: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    expect(queues.filter((q) => q.FifoQueue)).toHaveLength(2);
  });

  it('give the queue to the functions that send chunks, and the bus to those that publish, as their routes declare', () => {
    const policies = resources(service, 'AWS::IAM::Policy').map(([, r]) => JSON.stringify(r.Properties));
    const withAction = (action: string) => policies.filter((policy) => policy.includes(action));
    for (const route of allRoutes) {
      const logicalId = functions().find((fn) => fn.id.startsWith(`Api${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}Function`))!.id;
      const role = `Api${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}FunctionServiceRole`;
      const sends = withAction('sqs:SendMessage').some((policy) => policy.includes(role));
      const publishes = withAction('events:PutEvents').some((policy) => policy.includes(role));
      expect(sends, `${route.id} (${logicalId}) sends chunks`).toBe(route.sends?.includes('chunks') ?? false);
      expect(publishes, `${route.id} publishes events`).toBe(route.sends?.includes('events') ?? false);
    }
  });

  it('audit every template\'s stock ledger daily', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
  });
});

describe('cdk-nag', () => {
  it('passes the AwsSolutions checks (synthesis fails on any unacknowledged finding)', () => {
    const { app } = buildApp({ context });
    expect(() => app.synth()).not.toThrow();
  });
});
