import { Aws, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type BucketProps, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { ConsoleContent } from './constructs/console-content';
import { ConsoleSite } from './constructs/console-site';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { CouponCampaigns } from './constructs/coupon-campaigns';
import { CouponCodes } from './constructs/coupon-codes';
import { CouponImports } from './constructs/coupon-imports';
import { CouponEvents } from './constructs/coupon-events';
import { CouponHttpApi } from './constructs/coupon-http-api';
import { CouponLedger } from './constructs/coupon-ledger';
import { CouponLifecycle } from './constructs/coupon-lifecycle';
import { CouponMonitoring } from './constructs/coupon-monitoring';
import { claimRoutes } from '../lib/claims/claim-routes';
import { orderRoutes } from '../lib/orders/order-routes';
import { CouponOrders } from './constructs/coupon-orders';
import { CouponStatistics } from './constructs/coupon-statistics';
import { CouponTable } from './constructs/coupon-table';
import { ENV } from '../lib/topology';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { archiveBucketName, audienceBucketName, codeExportBucketName, codeSecretName, consoleBucketName, consoleBucketNamePattern, importBucketName } from './names';
import type { DeploySettings } from './settings';

export { archiveBucketName, audienceBucketName, codeExportBucketName, importBucketName, stackName } from './names';

/** What must survive every deploy: the table and the buckets. Kept apart so the stateless stack can be torn down and rebuilt freely. */
export class CouponDataStack extends Stack {
  readonly table: TableV2;
  /** Where back offices put audience files (one user id per line) for large campaigns. */
  readonly audienceBucket: Bucket;
  /** Where archival moves settled coupons (gzip JSON Lines by day and template) and their manifests. */
  readonly archiveBucket: Bucket;
  /** Code batch exports: the only place clear codes exist. */
  readonly codeExportBucket: Bucket;
  /** The secret codes are hashed and generated with. */
  readonly codeSecret: Secret;
  /** Legacy data files for imports (docs/migration.md). */
  readonly importBucket: Bucket;

  constructor(scope: Construct, id: string, props: StackProps & { settings: DeploySettings; consoleOrigin: string }) {
    super(scope, id, props);
    this.table = new CouponTable(this, 'Coupons', { deletionProtection: props.settings.deletionProtection }).table;
    this.audienceBucket = privateBucket(this, 'CampaignAudiences', audienceBucketName(props.settings.stage), props.settings.deletionProtection, {
      lifecycleRules: [{ expiration: Duration.days(30) }],
      // The console uploads audience files from the browser through pre-signed PUTs the API hands out.
      cors: [{ allowedOrigins: [props.consoleOrigin], allowedMethods: [HttpMethods.PUT], allowedHeaders: ['content-type'], exposedHeaders: ['etag'], maxAge: 3_000 }],
      whyNoAccessLogs: 'Audience files are short-lived campaign inputs (30-day expiry), read only by the campaign functions through IAM; CloudTrail data events cover audits if needed.',
    });
    this.archiveBucket = privateBucket(this, 'CouponArchive', archiveBucketName(props.settings.stage), props.settings.deletionProtection, {
      // An object overwritten (a batch taking a refunded coupon out) or removed (a crashed batch abandoned) stays recoverable for 30 days.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      whyNoAccessLogs: 'Only the archival function writes the archive (through IAM, every batch recorded in a manifest); CloudTrail data events cover audits if needed.',
    });
    this.codeExportBucket = privateBucket(this, 'CodeExports', codeExportBucketName(props.settings.stage), props.settings.deletionProtection, {
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      whyNoAccessLogs: 'Exports are read only through pre-signed links the API hands out, and every export is recorded in the table (who, when); CloudTrail data events cover audits if needed.',
    });
    this.importBucket = privateBucket(this, 'Imports', importBucketName(props.settings.stage), props.settings.deletionProtection, {
      lifecycleRules: [{ expiration: Duration.days(90) }],
      whyNoAccessLogs: 'Import files are inputs of a cut-over (90-day expiry), read only by the import worker through IAM; every import is recorded in the table (who, when, what); CloudTrail data events cover audits if needed.',
    });
    this.codeSecret = new Secret(this, 'CodeSecret', {
      secretName: codeSecretName(props.settings.stage),
      description: 'Codes are stored as HMACs under this secret and generated from it (docs/codes.md); never rotate it in place',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.settings.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.codeSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: 'Every stored code is a keyed hash under this secret: rotating it would make every issued code unredeemable. A new secret comes with a new stage (docs/codes.md).',
    });
  }
}

/** A bucket only IAM principals of this app reach: encrypted, TLS only, no public access, kept with the data unless deletion protection is off. */
function privateBucket(scope: Construct, id: string, bucketName: string, deletionProtection: boolean, props: Pick<BucketProps, 'versioned' | 'lifecycleRules' | 'cors'> & { whyNoAccessLogs: string }): Bucket {
  const { whyNoAccessLogs, ...rest } = props;
  const bucket = new Bucket(scope, id, {
    bucketName,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    removalPolicy: deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    ...rest,
  });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions::AwsSolutions-S1', reason: whyNoAccessLogs });
  return bucket;
}

export interface CouponServiceStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly table: TableV2;
  readonly audienceBucketName: string;
  /** The archive bucket's name (deterministic like the audience bucket's: no cross-stack reference). */
  readonly archiveBucketName: string;
  readonly codeExportBucketName: string;
  readonly importBucketName: string;
  /** The back-office console's origin: allowed by the API's CORS. */
  readonly consoleOrigin: string;
}

/** Everything stateless: functions, the HTTP API. */
export class CouponServiceStack extends Stack {
  readonly api: CouponHttpApi;
  readonly events: CouponEvents;
  readonly orders: CouponOrders;
  readonly statistics: CouponStatistics;
  readonly campaigns: CouponCampaigns;
  readonly ledger: CouponLedger;
  readonly lifecycle: CouponLifecycle;
  readonly codes: CouponCodes;
  readonly imports: CouponImports;
  readonly monitoring: CouponMonitoring;

  constructor(scope: Construct, id: string, props: CouponServiceStackProps) {
    // Unindented JSON: the template (about 800 KB indented) stays well below CloudFormation's 1 MB.
    super(scope, id, { suppressTemplateIndentation: true, ...props });
    const { settings, table } = props;
    this.api = new CouponHttpApi(this, 'Api', {
      stage: settings.stage,
      corsOrigins: [...settings.corsOrigins, props.consoleOrigin],
      table,
      jwtIssuer: settings.jwtIssuer,
      // Tokens the console gets from the identity provider name its client (Cognito: client_id; others: aud).
      jwtAudience: [...new Set([...settings.jwtAudience, settings.console.clientId])],
      logRetention: settings.logRetention,
      defaultThrottle: settings.throttle,
      // The archive listing answers with the bucket its objects are in.
      environment: { [ENV.lockTimeoutMinutes]: String(settings.lockTimeoutMinutes), [ENV.archiveBucket]: props.archiveBucketName },
    });
    this.events = new CouponEvents(this, 'Events', { stage: settings.stage, table, logRetention: settings.logRetention });
    this.events.grantPublish(this.api.functionsThatSend('events'));
    this.orders = new CouponOrders(this, 'Orders', { table, logRetention: settings.logRetention, lockTimeoutMinutes: settings.lockTimeoutMinutes });
    this.statistics = new CouponStatistics(this, 'Statistics', { table, logRetention: settings.logRetention });
    this.campaigns = new CouponCampaigns(this, 'Campaigns', {
      table,
      bus: this.events.bus,
      audienceBucketName: props.audienceBucketName,
      logRetention: settings.logRetention,
      stage: settings.stage,
      chunkSenders: this.api.functionsThatSend('chunks'),
      uploadLinkSigners: this.api.functionsThatUse('audienceUploads'),
      workerConcurrency: settings.campaignWorkerConcurrency,
    });
    this.ledger = new CouponLedger(this, 'Ledger', { table, bus: this.events.bus, logRetention: settings.logRetention });
    this.lifecycle = new CouponLifecycle(this, 'Lifecycle', {
      table,
      stage: settings.stage,
      archiveBucketName: props.archiveBucketName,
      logRetention: settings.logRetention,
      expiryEveryMinutes: settings.expiryEveryMinutes,
      archiveRetentionDays: settings.archiveRetentionDays,
      reminderOffsets: settings.reminderOffsets,
    });
    this.codes = new CouponCodes(this, 'Codes', {
      stage: settings.stage,
      table,
      exportBucketName: props.codeExportBucketName,
      logRetention: settings.logRetention,
      routeFunctions: this.api.routesThatUse(),
      failuresPerUser: settings.codeFailuresPerUser,
      failuresPerAddress: settings.codeFailuresPerAddress,
      failureWindowMinutes: settings.codeFailureWindowMinutes,
      failureAlarmPerMinute: settings.codeFailureAlarmPerMinute,
    });
    this.imports = new CouponImports(this, 'Imports', {
      stage: settings.stage,
      table,
      bus: this.events.bus,
      bucketName: props.importBucketName,
      logRetention: settings.logRetention,
      routeFunctions: this.api.routesThatUse(),
    });
    // Last: it watches every function built above.
    this.monitoring = new CouponMonitoring(this, 'Monitoring', {
      stage: settings.stage,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      table,
      api: this.api.api,
      latencyCritical: [this.api.functionOf(claimRoutes.claimCoupons), this.api.functionOf(orderRoutes.lockOrder)],
      streamConsumers: [this.events.publisher, this.statistics.consumer],
      campaignQueue: { queue: this.campaigns.queue, deadLetters: this.campaigns.deadLetters },
      codeQueue: { queue: this.codes.queue, deadLetters: this.codes.deadLetters },
      importQueue: { queue: this.imports.queue, deadLetters: this.imports.deadLetters },
      stateMachine: this.campaigns.stateMachine,
    });
  }
}

/** The back-office console's site (bucket and CloudFront): first, so the data and service stacks can allow its origin. */
export class CouponConsoleStack extends Stack {
  readonly site: ConsoleSite;

  constructor(scope: Construct, id: string, props: StackProps & { settings: DeploySettings }) {
    super(scope, id, props);
    this.site = new ConsoleSite(this, 'Console', { issuer: props.settings.jwtIssuer, authOrigins: props.settings.console.authOrigins, deletionProtection: props.settings.deletionProtection, bucketName: consoleBucketName(props.settings.stage) });
  }
}

/** The console's files and its config.json: last, since config.json carries the API's URL. */
export class CouponConsoleContentStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { settings: DeploySettings; site: ConsoleSite; apiUrl: string }) {
    super(scope, id, props);
    const { settings, site } = props;
    new ConsoleContent(this, 'Console', {
      // By its name: no export of the bucket for the copier's grant to name.
      bucket: Bucket.fromBucketName(this, 'ConsoleFiles', consoleBucketName(settings.stage)),
      bucketNamePattern: consoleBucketNamePattern(settings.stage),
      distribution: site.distribution,
      apiUrl: props.apiUrl,
      issuer: settings.jwtIssuer,
      clientId: settings.console.clientId,
      scopes: settings.console.scopes,
    });
  }
}
