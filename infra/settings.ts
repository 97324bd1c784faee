import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { defaultSettings } from '../lib/config';
import { parseCorsOrigins } from '../lib/http/cors';
import { lifecycleDefaults } from './constructs/coupon-lifecycle';

/**
 * Deploy-time parameters, read once from CDK context (`cdk deploy -c jwtIssuer=...` or cdk.json).
 * Synth works offline with placeholders so CI and tests need no account.
 */
export interface DeploySettings {
  /** Deployment stage (dev, staging, prod...): part of every stack and physical name, so stages share an account. */
  readonly stage: string;
  /** Where alarms send e-mail (the SNS topic always exists; subscribe other endpoints to it as needed). */
  readonly alarmEmail?: string;
  /** Powertools log level of every function, and the share of invocations logged at DEBUG whatever the level. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly debugLogSampleRate: number;
  /** Origins browsers may call the API from (API Gateway CORS); none by default. */
  readonly corsOrigins: readonly string[];
  /** The account and region the CDK CLI resolved (unset offline: the stacks are then environment-agnostic). */
  readonly environment: { readonly account?: string; readonly region?: string };
  readonly jwtIssuer: string;
  readonly jwtAudience: string[];
  /** The back-office console's OpenID Connect client (authorization code with PKCE at jwtIssuer) and the scopes it asks for. */
  readonly console: {
    readonly clientId: string;
    readonly scopes: readonly string[];
    /** Origins the sign-in talks to besides the issuer's (Cognito: the hosted UI domain that serves the token endpoint), for the console's CSP. */
    readonly authOrigins: readonly string[];
  };
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  readonly throttle: { rate: number; burst: number };
  readonly lockTimeoutMinutes: number;
  /** SQS event source MaximumConcurrency of the campaign worker (2-1000): the write rate a campaign may reach. */
  readonly campaignWorkerConcurrency: number;
  /** Lifecycle (docs/lifecycle.md): minutes between expiry runs, days a settled coupon stays before archival, default reminder offsets. */
  readonly expiryEveryMinutes: number;
  readonly archiveRetentionDays: number;
  readonly reminderOffsets: string;
  /** Codes (docs/codes.md): failed redemptions allowed per user and per address in the window, and the failure rate a minute that raises the alarm. */
  readonly codeFailuresPerUser: number;
  readonly codeFailuresPerAddress: number;
  readonly codeFailureWindowMinutes: number;
  readonly codeFailureAlarmPerMinute: number;
}

export const PLACEHOLDER_ISSUER = 'https://issuer.example.com/';

export function readDeploySettings(node: Node): DeploySettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const retentionDays = Number(text('logRetentionDays') ?? 30);
  const retention = Object.values(RetentionDays).find((days) => days === retentionDays);
  if (retention === undefined) throw new Error(`logRetentionDays=${retentionDays} is not a CloudWatch Logs retention value`);
  const stage = text('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) throw new Error(`stage=${stage}: use 1 to 16 lower-case letters, digits or dashes, starting with a letter`);
  const logLevel = (text('logLevel') ?? (stage === 'prod' ? 'INFO' : 'DEBUG')).toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) throw new Error(`logLevel=${logLevel}: use DEBUG, INFO, WARN or ERROR`);
  const debugLogSampleRate = Number(text('debugLogSampleRate') ?? 0.01);
  if (!(debugLogSampleRate >= 0 && debugLogSampleRate <= 1)) throw new Error(`debugLogSampleRate=${debugLogSampleRate}: use a share between 0 and 1`);
  const alarmEmail = text('alarmEmail');
  return {
    stage,
    ...(alarmEmail ? { alarmEmail } : {}),
    logLevel: logLevel as DeploySettings['logLevel'],
    debugLogSampleRate,
    corsOrigins: parseCorsOrigins(text('corsOrigins')),
    environment: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    jwtIssuer: text('jwtIssuer') ?? PLACEHOLDER_ISSUER,
    jwtAudience: (text('jwtAudience') ?? 'coupons-api').split(',').map((s) => s.trim()).filter(Boolean),
    deletionProtection: (text('deletionProtection') ?? 'true') !== 'false',
    console: {
      clientId: text('consoleClientId') ?? 'coupons-console',
      scopes: (text('consoleScopes') ?? 'coupons/admin').split(/[\s,]+/).filter(Boolean),
      authOrigins: parseCorsOrigins(text('consoleAuthOrigins')),
    },
    logRetention: retention as RetentionDays,
    throttle: { rate: Number(text('throttleRate') ?? 1000), burst: Number(text('throttleBurst') ?? 2000) },
    lockTimeoutMinutes: Number(text('lockTimeoutMinutes') ?? 30),
    campaignWorkerConcurrency: Number(text('campaignWorkerConcurrency') ?? 20),
    expiryEveryMinutes: positiveInteger('expiryEveryMinutes', text('expiryEveryMinutes'), lifecycleDefaults.expiryEveryMinutes),
    archiveRetentionDays: positiveInteger('archiveRetentionDays', text('archiveRetentionDays'), lifecycleDefaults.archiveRetentionDays),
    // An empty value is kept: no reminders for templates that set none.
    reminderOffsets: node.tryGetContext('reminderOffsets') === undefined ? lifecycleDefaults.reminderOffsets : String(node.tryGetContext('reminderOffsets') ?? ''),
    codeFailuresPerUser: positiveInteger('codeFailuresPerUser', text('codeFailuresPerUser'), defaultSettings.codes.failuresPerUser),
    codeFailuresPerAddress: positiveInteger('codeFailuresPerAddress', text('codeFailuresPerAddress'), defaultSettings.codes.failuresPerAddress),
    codeFailureWindowMinutes: positiveInteger('codeFailureWindowMinutes', text('codeFailureWindowMinutes'), defaultSettings.codes.failureWindowMs / 60_000),
    codeFailureAlarmPerMinute: positiveInteger('codeFailureAlarmPerMinute', text('codeFailureAlarmPerMinute'), 100),
  };
}

function positiveInteger(key: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${key}=${raw}: use a whole number above zero`);
  return value;
}
