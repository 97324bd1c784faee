import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { buildApp } from '../../infra/app';
import { CouponFunction, powertoolsVersion, repoRoot } from '../../infra/constructs/coupon-function';
import { allRoutes } from '../../lib/api/api';

// Bundling is skipped here: these tests are about the template, and `npm run synth` bundles for real.
const context = { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://issuer.test/', jwtAudience: 'coupons-api' };

let service: Template;
let data: Template;
let consoleSite: Template;
let consoleContent: Template;

beforeAll(() => {
  const built = buildApp({ context });
  service = Template.fromStack(built.service);
  data = Template.fromStack(built.data);
  consoleSite = Template.fromStack(built.consoleSite);
  consoleContent = Template.fromStack(built.consoleContent);
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
      JwtConfiguration: { Issuer: 'https://issuer.test/', Audience: ['coupons-api', 'coupons-console'] },
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
/** The route's function's construct id: its own, or its shared function's. */
const functionKeyOf = (route: (typeof allRoutes)[number]) => { const key = route.sharedFunction ?? route.id; return `${key.charAt(0).toUpperCase()}${key.slice(1)}`; };
const routeFunctionId = (route: (typeof allRoutes)[number]) => functions().find((fn) => fn.id.startsWith(`Api${functionKeyOf(route)}Function`))?.id;
/** What a route's function may do to the table: the most any route it serves needs. */
const tableAccessOf = (route: (typeof allRoutes)[number]) => {
  const served = allRoutes.filter((other) => functionKeyOf(other) === functionKeyOf(route)).map((other) => other.tableAccess);
  return served.includes('readWrite') ? 'readWrite' : served.includes('read') ? 'read' : 'none';
};

describe('functions', () => {

  it('run Node 22 on arm64 with tracing, each with a log group of bounded retention', () => {
    // one per route; the stream publisher, lock releaser, statistics consumer; four campaign steps and the campaign worker; the ledger audit; the expiry, reminder and archival jobs; the code generator
    // (routes that share a function count once)
    expect(functions()).toHaveLength(new Set(allRoutes.map(functionKeyOf)).size + 14);
    for (const fn of functions()) {
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
    for (const [, logGroup] of resources(service, 'AWS::Logs::LogGroup')) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('get exactly the table access their route declares, and nothing for public routes', () => {
    const policies = resources(service, 'AWS::IAM::Policy').map(([, r]) => r.Properties);
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    for (const route of allRoutes) {
      const logicalId = routeFunctionId(route);
      expect(logicalId, route.id).toBeDefined();
      const tableAccess = tableAccessOf(route);
      const roleRef = (service.findResources('AWS::Lambda::Function')[logicalId!] as Resource).Properties.Role['Fn::GetAtt'][0];
      const actions = policies
        .filter((p) => p.Roles.some((role: { Ref: string }) => role.Ref === roleRef))
        .flatMap((p) => p.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()))
        .filter((action: string) => action.startsWith('dynamodb:'));
      if (tableAccess === 'none') expect(actions, route.id).toEqual([]);
      if (tableAccess === 'read') {
        expect(actions, route.id).toContain('dynamodb:Query');
        for (const write of writes) expect(actions, route.id).not.toContain(write);
      }
      if (tableAccess === 'readWrite') expect(actions, route.id).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(actions.some((action: string) => action.includes('*')), route.id).toBe(false);
      expect(actions, route.id).not.toContain('dynamodb:Scan');
    }
  });
});

describe('events', () => {
  it('drive the publisher from the table stream, coupon and reminder items only, with partial batch failures and a dead-letter queue', () => {
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['coupon', 'reminder'] } } } }) }] },
    });
    service.hasResourceProperties('AWS::Events::EventBus', { Name: 'coupons-dev' });
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
    expect(alarms.map((a) => a.MetricName)).toEqual(expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'Errors', 'ExecutionsFailed', 'StockLedgerImbalances']));
    // Published by Powertools Metrics, which adds the service dimension: the alarm must name it to see the metric.
    expect(alarms.find((a) => a.MetricName === 'StockLedgerImbalances')).toMatchObject({
      Namespace: 'CouponPlatform',
      Dimensions: [{ Name: 'service', Value: 'coupons' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
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
      const logicalId = routeFunctionId(route)!;
      const role = `Api${functionKeyOf(route)}FunctionServiceRole`;
      const sends = withAction('sqs:SendMessage').some((policy) => policy.includes(role) && policy.includes('CampaignsChunks'));
      const sendsParts = withAction('sqs:SendMessage').some((policy) => policy.includes(role) && policy.includes('CodesParts'));
      expect(sendsParts, `${route.id} sends code parts`).toBe(route.uses?.includes('codeQueue') ?? false);
      const publishes = withAction('events:PutEvents').some((policy) => policy.includes(role));
      expect(sends, `${route.id} (${logicalId}) sends chunks`).toBe(route.sends?.includes('chunks') ?? false);
      expect(publishes, `${route.id} publishes events`).toBe(route.sends?.includes('events') ?? false);
    }
  });

  it('audit every template\'s stock ledger daily', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
  });
});

describe('lifecycle', () => {
  const lifecycleFunction = (name: string) => resources(service, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`Lifecycle${name}`) && !id.includes('Logs'))!;

  it('indexes every coupon by expiry or settlement in a sparse GSI that projects only what the jobs read', () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: 'gsi2', Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'userId', 'templateId', 'name', 'validUntil'] } }),
      ]),
    });
  });

  it('runs expiry every 15 minutes by default (a deploy parameter), reminders and archival hourly, each for up to 15 minutes', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    for (const name of ['ExpireCoupons', 'SendReminders', 'ArchiveCoupons']) expect(lifecycleFunction(name)[1].Properties.Timeout).toBe(900);
    const built = buildApp({ context: { ...context, expiryEveryMinutes: '5', archiveRetentionDays: '90', reminderOffsets: 'P2D' } });
    const other = Template.fromStack(built.service);
    other.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    other.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ARCHIVE_RETENTION_DAYS: '90' }) } });
    other.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REMINDER_OFFSETS: 'P2D' }) } });
    expect(() => buildApp({ context: { ...context, expiryEveryMinutes: '0' } })).toThrow(/expiryEveryMinutes/);
    // Empty: no reminders for templates that set none (not the default).
    Template.fromStack(buildApp({ context: { ...context, reminderOffsets: '' } }).service).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REMINDER_OFFSETS: '' }) },
    });
  });

  it('keeps archives in a versioned, encrypted, private bucket that only the archival function writes, reads back and deletes objects of', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const role = lifecycleFunction('ArchiveCoupons')[1].Properties.Role['Fn::GetAtt'][0];
    const statements = resources(service, 'AWS::IAM::Policy')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((p) => p.PolicyDocument.Statement);
    const s3 = statements.filter((st: { Action: string | string[] }) => [st.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((st: { Action: string | string[] }) => [st.Action].flat()).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
  });

  it('alarms when a job keeps running out of time, for each job', () => {
    const behind = resources(service, 'AWS::CloudWatch::Alarm').filter(([, r]) => r.Properties.MetricName === 'LifecycleRunsBehind');
    expect(behind.map(([, r]) => r.Properties.Dimensions.find((d: { Name: string }) => d.Name === 'job').Value).sort()).toEqual(['archive', 'expire', 'remind']);
    for (const [, alarm] of behind) expect(alarm.Properties.AlarmActions).toBeDefined();
  });
});

/** The S3, Secrets Manager and SQS-sending actions a function's role allows (queue consumption left out). */
const actionsOf = (fn: [string, Resource]) => {
  const role = fn[1].Properties.Role['Fn::GetAtt'][0];
  return resources(service, 'AWS::IAM::Policy')
    .map(([, r]) => r.Properties)
    .filter((p) => p.Roles.some((r: { Ref: string }) => r.Ref === role))
    .flatMap((p) => p.PolicyDocument.Statement)
    .flatMap((st: { Action: string | string[] }) => [st.Action].flat())
    .filter((a: string) => /^(s3|secretsmanager|sqs):/.test(a) && !a.startsWith('sqs:Receive') && !a.startsWith('sqs:Delete') && !a.startsWith('sqs:ChangeMessage') && !a.startsWith('sqs:GetQueue'))
    .sort();
};

describe('codes', () => {
  const functionOf = (route: { id: string }) => resources(service, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`Api${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}Function`))!;

  it('keep their secret (generated, kept with the data) and their exports (versioned, encrypted, private) in the data stack', () => {
    data.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'coupons/dev/code-secret', GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['coupon-code-exports-dev-'])] }),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('give each code function exactly what its route uses: the secret, the exports, the queue', () => {
    const expected: Record<string, string[]> = {
      createCodeBatch: ['s3:PutObject', 'secretsmanager:GetSecretValue', 'sqs:SendMessage'],
      getCodeBatch: [],
      exportCodeBatch: ['s3:GetObject'],
      revokeCodeBatch: [],
      revokeCode: ['secretsmanager:GetSecretValue'],
      redeemCode: ['secretsmanager:GetSecretValue'],
    };
    for (const [id, actions] of Object.entries(expected)) expect(actionsOf(functionOf({ id })), id).toEqual(actions);
    const redeem = functionOf({ id: 'redeemCode' })[1].Properties.Environment.Variables;
    expect(redeem).toMatchObject({ CODE_SECRET_ID: 'coupons/dev/code-secret', CODE_FAILURES_PER_USER: '5', CODE_FAILURES_PER_ADDRESS: '50', CODE_FAILURE_WINDOW_MINUTES: '15' });
    expect(redeem.CODE_EXPORT_BUCKET).toBeUndefined();
    const worker = resources(service, 'AWS::Lambda::Function').find(([id]) => id.startsWith('CodesGenerateCodes'))!;
    expect(actionsOf(worker)).toEqual(['s3:PutObject', 'secretsmanager:GetSecretValue']);
    expect(worker[1].Properties.Timeout).toBe(900);
    const other = Template.fromStack(buildApp({ context: { ...context, codeFailuresPerUser: '3', codeFailureWindowMinutes: '60' } }).service);
    other.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CODE_FAILURES_PER_USER: '3', CODE_FAILURE_WINDOW_MINUTES: '60' }) } });
  });

  it('alarm on guessing (the failure rate) and on parts that failed every delivery, to the topic', () => {
    const alarms = resources(service, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const guessing = alarms.filter((a) => a.MetricName === 'CodeRedemptionFailures');
    expect(guessing).toHaveLength(1);
    expect(guessing[0]).toMatchObject({ Threshold: 100, EvaluationPeriods: 5, Dimensions: [{ Name: 'service', Value: 'coupons' }] });
    expect(guessing[0]!.AlarmActions).toHaveLength(1);
  });
});

describe('imports', () => {
  const functionOf = (id: string) => resources(service, 'AWS::Lambda::Function').find(([logicalId]) => logicalId.startsWith(id))!;

  it('keep import files in a private, encrypted bucket of the data stack, expiring after 90 days', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['coupon-imports-dev-'])] }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('give the worker the files (read only) and its queue; the start route and the dual write (its settle message) the queue; the progress nothing but the table', () => {
    const worker = functionOf('ImportsRunImportStep');
    expect(actionsOf(worker)).toEqual(['s3:GetObject', 'sqs:SendMessage']);
    expect(worker[1].Properties.Timeout).toBe(900);
    expect(Object.keys(worker[1].Properties.Environment.Variables)).toEqual(expect.arrayContaining(['IMPORT_BUCKET', 'IMPORT_QUEUE_URL']));
    expect(actionsOf(functionOf('ApiStartImportFunction'))).toEqual(['sqs:SendMessage']);
    const dualWrite = functionOf('ApiDualWriteCouponFunction');
    expect(actionsOf(dualWrite)).toEqual(['sqs:SendMessage']);
    expect(Object.keys(dualWrite[1].Properties.Environment.Variables)).toContain('IMPORT_QUEUE_URL');
    expect(actionsOf(functionOf('ApiGetImportFunction'))).toEqual([]);
  });

  it('put ImportRequested events from the bus on the import queue, and alarm on steps that failed every delivery', () => {
    const rule = resources(service, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.['detail-type']?.[0] === 'ImportRequested')!;
    expect(rule[1].Properties.EventPattern.source).toEqual(['coupon-platform.imports']);
    expect(JSON.stringify(rule[1].Properties.Targets)).toContain('ImportsSteps');
    const alarms = resources(service, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ImportsStepDeadLettersAlarm'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties.AlarmActions).toHaveLength(1);
  });
});

describe('cdk-nag', () => {
  it('passes the AwsSolutions checks (synthesis fails on any unacknowledged finding)', () => {
    const { app } = buildApp({ context });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('operability', () => {
  const functions = () => resources(service, 'AWS::Lambda::Function');
  const alarms = () => resources(service, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const topicId = () => resources(service, 'AWS::SNS::Topic').map(([id]) => id);

  it('gives every function the Powertools settings of its stage', () => {
    expect(functions().length).toBeGreaterThan(30);
    for (const [id, fn] of functions()) {
      expect(fn.Properties.Environment?.Variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'coupons',
        POWERTOOLS_METRICS_NAMESPACE: 'CouponPlatform',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        STAGE: 'dev',
      });
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
    const prod = Template.fromStack(buildApp({ context: { ...context, stage: 'prod' } }).service);
    for (const [, fn] of Object.entries(prod.findResources('AWS::Lambda::Function') as Record<string, Resource>)) expect(fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
  });

  it('sends every alarm to the one SNS topic, when it fires and when it recovers; the e-mail is a parameter', () => {
    expect(topicId()).toHaveLength(1);
    const topic = { Ref: topicId()[0] };
    expect(alarms().length).toBeGreaterThan(60);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions, alarm.AlarmDescription).toEqual([topic]);
      expect(alarm.OKActions, alarm.AlarmDescription).toEqual([topic]);
    }
    service.resourceCountIs('AWS::SNS::Subscription', 0);
    Template.fromStack(buildApp({ context: { ...context, alarmEmail: 'ops@shop.test' } }).service).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.test' });
  });

  it("alarms on every function's errors and throttles, the API's 5xx rate and p99, DynamoDB throttling and system errors, stream iterator age", () => {
    const metricsOf = (alarm: Record<string, any>): string[] => [alarm.MetricName, ...(alarm.Metrics ?? []).map((m: any) => m.MetricStat?.Metric?.MetricName)].filter(Boolean);
    const statsOf = (alarm: Record<string, any>): string[] => [alarm.ExtendedStatistic, ...(alarm.Metrics ?? []).map((m: any) => m.MetricStat?.Stat)].filter(Boolean);
    const watching = (name: string) => alarms().filter((a) => metricsOf(a).includes(name));
    const ourFunctions = functions().filter(([, fn]) => fn.Properties.Description && !String(fn.Properties.Description).startsWith('AWS CDK')).length;
    expect(watching('Errors').length).toBeGreaterThanOrEqual(ourFunctions);
    expect(watching('Throttles').length).toBeGreaterThanOrEqual(ourFunctions);
    expect(watching('5xx')).toHaveLength(1);
    expect(watching('Latency').filter((a) => statsOf(a).includes('p99'))).toHaveLength(1);
    expect(watching('Duration').filter((a) => statsOf(a).includes('p99')).map((a) => a.AlarmName).sort()).toEqual([
      'coupons-dev-Api-ClaimCouponsFunction-Latency-P99-Warning',
      'coupons-dev-Api-LockOrderFunction-Latency-P99-Warning',
    ]);
    expect(watching('ReadThrottleEvents').length + watching('WriteThrottleEvents').length).toBeGreaterThanOrEqual(2);
    expect(watching('SystemErrors')).toHaveLength(1);
    expect(watching('IteratorAge')).toHaveLength(2);
    service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms on every dead-letter queue (of queues, of stream consumers, of every event rule target)', () => {
    const queueIds = new Set(resources(service, 'AWS::SQS::Queue').map(([id]) => id));
    const deadLetterIds = new Set<string>();
    for (const [, queue] of resources(service, 'AWS::SQS::Queue')) {
      const target = queue.Properties.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
      if (target) deadLetterIds.add(target);
    }
    for (const [, mapping] of resources(service, 'AWS::Lambda::EventSourceMapping')) {
      const target = mapping.Properties.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
      if (target) deadLetterIds.add(target);
    }
    for (const [, rule] of resources(service, 'AWS::Events::Rule')) {
      for (const target of rule.Properties.Targets) {
        const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
        expect(dlq, JSON.stringify(target)).toBeDefined();
        deadLetterIds.add(dlq);
      }
    }
    // Campaign chunks, code parts, import steps, the two stream consumers, the rule targets.
    expect(deadLetterIds.size).toBe(6);
    for (const id of deadLetterIds) {
      expect(queueIds.has(id)).toBe(true);
      const watching = alarms().filter((a) => JSON.stringify(a.Dimensions ?? a.Metrics ?? []).includes(`"${id}"`) && /ApproximateNumberOfMessages/.test(JSON.stringify(a)));
      expect(watching.length, id).toBeGreaterThan(0);
    }
  });

  const accountWideNames: Record<string, string> = {
    'AWS::Events::EventBus': 'Name',
    'AWS::ApiGatewayV2::Api': 'Name',
    'AWS::S3::Bucket': 'BucketName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::DynamoDB::GlobalTable': 'TableName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::CloudWatch::Dashboard': 'DashboardName',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::Logs::LogGroup': 'LogGroupName',
  };

  it('synthesizes two stages side by side in one account: no physical name in common', () => {
    const staging = buildApp({ context: { ...context, stage: 'staging' } });
    const dev = buildApp({ context });
    expect(staging.service.stackName).toBe('CouponService-staging');
    expect(dev.data.stackName).toBe('CouponData-dev');
    const physicalNames = (built: ReturnType<typeof buildApp>) => {
      const names = new Set<string>([built.service.stackName, built.data.stackName]);
      for (const stack of [built.service, built.data]) {
        for (const resource of Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>)) {
          // The name properties that must be unique in an account and region (others are generated by CloudFormation).
          const key = accountWideNames[resource.Type];
          const value = key ? resource.Properties?.[key] : undefined;
          if (value !== undefined) names.add(JSON.stringify(value));
        }
      }
      return names;
    };
    const devNames = physicalNames(dev);
    const shared = [...physicalNames(staging)].filter((name) => devNames.has(name));
    expect(shared).toEqual([]);
    expect(devNames.size).toBeGreaterThan(60);
  });

  it('deploys the Powertools layer of exactly the version the code is built and tested with, on every function of ours', () => {
    const version = powertoolsVersion();
    for (const name of ['logger', 'metrics', 'tracer']) {
      expect(JSON.parse(readFileSync(path.join(repoRoot, `node_modules/@aws-lambda-powertools/${name}/package.json`), 'utf8')).version, name).toBe(version);
    }
    const parameters = Object.keys(service.findParameters('*', { Default: `/aws/service/powertools/typescript/generic/all/${version}` }));
    expect(parameters).toHaveLength(1);
    const built = buildApp({ context });
    const ours = built.service.node.findAll().filter((node): node is CouponFunction => node instanceof CouponFunction);
    expect(ours.length).toBeGreaterThan(30);
    const template = Template.fromStack(built.service).toJSON().Resources as Record<string, Resource>;
    for (const fn of ours) {
      const logicalId = built.service.getLogicalId(fn.node.defaultChild as CfnElement);
      expect(template[logicalId]!.Properties.Layers, fn.node.path).toEqual([{ Ref: parameters[0] }]);
    }
  });

  it('allows the console\'s origin by CORS, and the origins given', () => {
    const consoleOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.stringLikeRegexp('ConsoleDistribution.*DomainName') }]] };
    expect(resources(service, 'AWS::ApiGatewayV2::Api')[0]![1].Properties.CorsConfiguration.AllowOrigins).toEqual([expect.objectContaining({ 'Fn::Join': expect.anything() })]);
    service.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: [consoleOrigin] } });
    const withCors = Template.fromStack(buildApp({ context: { ...context, corsOrigins: 'https://shop.example.com,https://backoffice.example.com' } }).service);
    withCors.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://shop.example.com', 'https://backoffice.example.com', consoleOrigin],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        ExposeHeaders: ['retry-after', 'idempotent-replayed'],
        MaxAge: 3600,
      },
    });
  });

  it('refuses a stage name that cannot be part of resource names', () => {
    expect(() => buildApp({ context: { ...context, stage: 'Prod_1' } })).toThrow(/stage=Prod_1/);
  });
});

describe('the back-office console', () => {
  it('keeps its files in a private, encrypted, TLS-only bucket that only its CloudFront distribution reads', () => {
    consoleSite.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    const statements = resources(consoleSite, 'AWS::S3::BucketPolicy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0]!.Condition)).toContain('ConsoleDistribution');
  });

  it('serves it through CloudFront with origin access control, HTTPS only, folder indexes and security headers', () => {
    consoleSite.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    consoleSite.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } });
    const [, distribution] = resources(consoleSite, 'AWS::CloudFront::Distribution')[0]!;
    const config = distribution.Properties.DistributionConfig;
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]).toMatchObject({ OriginAccessControlId: expect.anything(), S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], ResponseHeadersPolicyId: expect.anything() });
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    const [, headers] = resources(consoleSite, 'AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", 'https://issuer.test']) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    // Cognito's token endpoint is on its hosted UI domain, not the issuer's host: a setting adds it.
    const withAuthOrigin = Template.fromStack(buildApp({ context: { ...context, consoleAuthOrigins: 'https://team.auth.eu-west-1.amazoncognito.com' } }).consoleSite);
    expect(JSON.stringify(withAuthOrigin.toJSON())).toContain("https://issuer.test https://team.auth.eu-west-1.amazoncognito.com");
    const [, indexes] = resources(consoleSite, 'AWS::CloudFront::Function')[0]!;
    expect(indexes.Properties.FunctionCode).toContain("request.uri += 'index.html'");
  });

  it('deploys the built console under /console/ with a config.json naming the API, the issuer and the client, and invalidates CloudFront', () => {
    const [, deployment] = resources(consoleContent, 'Custom::CDKBucketDeployment')[0]!;
    expect(deployment.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'console/', DistributionPaths: ['/console/*'], Prune: true });
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    // config.json is the second source: its API URL is filled in at deploy time from the service stack's HTTP API.
    expect(deployment.Properties.SourceMarkers[1]).toEqual(expect.objectContaining({ '<<marker:0xbaba:0>>': { 'Fn::ImportValue': expect.stringMatching(/^CouponService-dev:.*ApiHttpApi/) } }));
    expect(deployment.Properties.DistributionId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^CouponConsole-dev:.*ConsoleDistribution/) });
  });

  it('lets the console upload audience files: the audience bucket allows PUT from its origin, and only the support function signs uploads, under uploads/', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'], AllowedOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.stringLikeRegexp('ConsoleDistribution.*DomainName') }]] }] })] },
    });
    const putters = resources(service, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties).includes('s3:PutObject') && JSON.stringify(policy.Properties).includes('coupon-audiences'));
    expect(putters.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiBackOfficeSupportFunction/)]);
    expect(JSON.stringify(putters[0]![1].Properties)).toContain('/uploads/*');
    const support = functions().find((fn) => fn.id.startsWith('ApiBackOfficeSupportFunction')) as unknown as { Environment: { Variables: Record<string, unknown> } };
    expect(Object.keys(support.Environment.Variables)).toContain('AUDIENCE_BUCKET');
  });
});
