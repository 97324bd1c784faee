import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ILayerVersion, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { TableAccess } from '../../lib/http/route';
import { globalSecondaryIndexes } from '../../lib/table';
import { targetDeadLetters } from './target-dead-letters';
import { ENV } from '../../lib/topology';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * Left out of every bundle: the AWS SDK v3 (the Node 22 runtime ships it) and Powertools with the X-Ray
 * SDK its tracer uses (the Powertools layer below ships them). What stays is our code, zod, middy, ulidx.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@aws-lambda-powertools/*', 'aws-xray-sdk-core'];

/** The Powertools version the code is built and tested with; the layer deployed is exactly that one. */
export const powertoolsVersion = (): string =>
  (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@aws-lambda-powertools/logger/package.json'), 'utf8')) as { version: string }).version;

/** The public Powertools layer of that version, looked up per region at deploy time (AWS publishes its ARN in SSM); one per stack. */
function powertoolsLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'PowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as ILayerVersion | undefined;
  if (existing) return existing;
  return LayerVersion.fromLayerVersionArn(stack, id, StringParameter.valueForStringParameter(stack, `/aws/service/powertools/typescript/generic/all/${powertoolsVersion()}`));
}

export interface CouponFunctionProps {
  /** Handler module relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description?: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly logRetention: RetentionDays;
  readonly environment?: Record<string, string>;
}

const readActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The Lambda defaults every function of the service shares: Node 22 on arm64, local esbuild bundling, tracing, bounded log retention. */
export class CouponFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: CouponFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    super(scope, id, {
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      layers: [powertoolsLayer(scope)],
      logGroup,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      projectRoot: repoRoot,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        externalModules: EXTERNAL_MODULES,
        forceDockerBundling: false,
      },
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
      },
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords accept no resource narrower than *.' },
      { id: 'AwsSolutions::AwsSolutions-L1', reason: 'nodejs22.x is the runtime the service is built and tested on; move with the tested local Node version.' },
    );
  }

  /** Runs the function on a schedule (an EventBridge rule; a failed run is retried twice), every `everyMinutes`. */
  runEvery(everyMinutes: number): this {
    new Rule(this, 'Schedule', { schedule: Schedule.rate(Duration.minutes(everyMinutes)), targets: [new LambdaFunction(this, { retryAttempts: 2, deadLetterQueue: targetDeadLetters(this) })] });
    return this;
  }

  /**
   * Grants exactly the DynamoDB actions the access level needs on the table and its indexes, and tells
   * the function the table's name: one call, so the two never disagree.
   */
  bindTable(table: ITableV2, access: Exclude<TableAccess, 'none'>): this {
    this.addEnvironment(ENV.tableName, table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: access === 'read' ? readActions : [...readActions, ...writeActions],
        // Each index by name rather than index/*: no wildcard, and a new index is a visible grant change.
        resources: [table.tableArn, ...globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`)],
      }),
    );
    return this;
  }
}
