import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Deploy-time parameters, read once from CDK context (`cdk deploy -c jwtIssuer=...` or cdk.json).
 * Synth works offline with placeholders so CI and tests need no account.
 */
export interface DeploySettings {
  /** The account and region the CDK CLI resolved (unset offline: the stacks are then environment-agnostic). */
  readonly environment: { readonly account?: string; readonly region?: string };
  readonly jwtIssuer: string;
  readonly jwtAudience: string[];
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  readonly throttle: { rate: number; burst: number };
  readonly lockTimeoutMinutes: number;
  /** SQS event source MaximumConcurrency of the campaign worker (2-1000): the write rate a campaign may reach. */
  readonly campaignWorkerConcurrency: number;
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
  return {
    environment: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    jwtIssuer: text('jwtIssuer') ?? PLACEHOLDER_ISSUER,
    jwtAudience: (text('jwtAudience') ?? 'coupons-api').split(',').map((s) => s.trim()).filter(Boolean),
    deletionProtection: (text('deletionProtection') ?? 'true') !== 'false',
    logRetention: retention as RetentionDays,
    throttle: { rate: Number(text('throttleRate') ?? 1000), burst: Number(text('throttleBurst') ?? 2000) },
    lockTimeoutMinutes: Number(text('lockTimeoutMinutes') ?? 30),
    campaignWorkerConcurrency: Number(text('campaignWorkerConcurrency') ?? 20),
  };
}
